#!/usr/bin/env bash
# libFuzzer on the word2vec corpus parser and vocabulary pass
# (native/fuzz/corpus_fuzzer.cc), built with clang against native/core alone:
#   1. every committed input (native/fuzz/corpus: seeds, valid and broken;
#      native/fuzz/regressions: past crashes) runs once, as a regression test;
#   2. then fuzzing for FUZZ_SECONDS (default 60) from the seeds. New inputs
#      go to a temp dir, so the tree stays clean; a crash leaves its input in
#      build/fuzz/ and fails the run — commit it to native/fuzz/regressions/.
set -euo pipefail
cd "$(dirname "$0")/.."

CXX=${FUZZ_CXX:-clang++}
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz: $CXX not found (apt-get install -y clang)" >&2
  exit 1
fi
out=build/fuzz
mkdir -p "$out" native/fuzz/regressions
core=native/core/word2vec
# Tiny blocks (seams everywhere) and a word hash narrowed to 2 tag bits and
# 3 slot bits (distinct words collide all the time).
build() {
  "$CXX" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -DFASTNN_CORPUS_BLOCK_BYTES=7 -DFASTNN_WORD_HASH_MASK=0x300000007ull "$@" \
    native/fuzz/corpus_fuzzer.cc "$core/corpus_reader.cc" "$core/vocab.cc" "$core/word_table.cc"
}
build -o "$out/corpus_fuzzer"
# The byte-at-a-time separator scan of machines without SSE2, on the committed inputs only.
build -DFASTNN_CORPUS_SCALAR_SCAN -o "$out/corpus_fuzzer_scalar"

inputs=(native/fuzz/corpus/* native/fuzz/regressions/*)
existing=()
for f in "${inputs[@]}"; do [ -f "$f" ] && existing+=("$f"); done
"$out/corpus_fuzzer" "${existing[@]}" 2>&1 | tail -n 1
"$out/corpus_fuzzer_scalar" "${existing[@]}" 2>&1 | tail -n 1

work=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$work" "$log"' EXIT
status=0
"$out/corpus_fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$out/" "$work" native/fuzz/corpus >"$log" 2>&1 || status=$?
grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ +DONE" "$log" || true
if [ "$status" -ne 0 ]; then
  grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -n 30 "$log" >&2
  echo "fuzz: crash (exit $status); its input is in $out/: add it to native/fuzz/regressions/" >&2
  exit 1
fi
echo "fuzz: no crashes"
