#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan (cmake-js Debug,
# -fsanitize=address,undefined -fno-sanitize-recover=all) and runs the
# native-backend tests that exercise the C++ (small shapes) under node with
# the ASan runtime preloaded, among them test/native/raw-addon.test.ts, which
# sends mutated arguments straight to the addon (~15 s here). Any report
# fails the run: UBSan and ASan abort the process (its test file then fails),
# and the log is also searched for reports.
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile --directory native --out build/cmake-asan --debug --CDFASTNN_SANITIZE=ON --parallel 2 >/dev/null

log=$(mktemp)
# The loader prefers build/Release; hide it so the sanitized Debug build is the one tested.
restore() {
  if [ -d build/Release.hidden ]; then mv build/Release.hidden build/Release; fi
  rm -f "$log"
}
trap restore EXIT
if [ -d build/Release ]; then mv build/Release build/Release.hidden; fi

# detect_leaks=0: node itself does not free everything at exit; leaks are not what this job checks.
LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
FASTNN_BACKEND=native \
  npx vitest run test/backend/kernels.test.ts test/backend/network.test.ts test/native/raw-addon.test.ts test/backend/gradients.test.ts \
    test/backend/numerics.test.ts test/nn/mlp.test.ts test/native/background-job.test.ts test/native/worker.test.ts \
    test/native/worker-train.test.ts test/native/gc-pressure.test.ts test/native/parallel-training.test.ts test/nn/checkpoint.test.ts \
    test/word2vec/query.test.ts test/word2vec/checkpoint.test.ts test/native/dispatch.test.ts 2>&1 | tee "$log"
if grep -qE "ERROR: AddressSanitizer|runtime error:" "$log"; then
  echo "sanitizers: reports found (see above)"
  exit 1
fi
echo "sanitizers: no reports"
