#!/usr/bin/env bash
# A new user's `npm install fastnn`, on the tarball this tree packs: in a fresh
# project, with no compiler anywhere, the prebuilt addon must give the native
# backend; ESM, CommonJS and type-checked TypeScript code must use MLP,
# Autoencoder and Word2Vec; `npx fastnn demo` and `npx fastnn info` must run.
# Prints the tarball's size and the install time. Run from anywhere; needs
# the tree built (`npm ci`), and npm's cache for the two dependencies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== npm pack (prepack puts the prebuilt addon in prebuilds/)"
(cd "$root" && npm pack --pack-destination "$work" --silent >/dev/null)
tarball="$(ls "$work"/fastnn-*.tgz)"
contents="$(tar -tzf "$tarball")"
echo "tarball: $(basename "$tarball"), $(du -k "$tarball" | cut -f1) kB, $(wc -l <<<"$contents") files"
grep -qx 'package/prebuilds/linux-x64/fastnn.node' <<<"$contents" || { echo "consumer: the tarball holds no prebuilt linux-x64 addon"; exit 1; }

echo "== npm install of the tarball with no compiler"
app="$work/app"
mkdir -p "$app"
cd "$app"
npm init -y >/dev/null
# No compiler, no make, no node-gyp: any attempt to compile fails at once.
nobuild="$work/nobuild"
mkdir -p "$nobuild"
for tool in cc c++ gcc g++ clang clang++ make node-gyp python3; do ln -s /bin/false "$nobuild/$tool"; done
start=$(date +%s.%N)
PATH="$nobuild:$PATH" CC=false CXX=false MAKE=false npm_config_node_gyp=/bin/false \
  npm install --no-audit --no-fund --prefer-offline --foreground-scripts "$tarball" 2>&1 | tee "$work/install.log"
echo "install time: $(echo "$(date +%s.%N) - $start" | bc) s"
test ! -e node_modules/fastnn/build || { echo "consumer: the install compiled something (node_modules/fastnn/build exists)"; exit 1; }
grep -q 'using the prebuilt native addon' "$work/install.log" || { echo "consumer: the install did not report the prebuilt addon"; exit 1; }

echo "== the prebuilt addon: stripped, and no test hooks among its exports"
addon=node_modules/fastnn/prebuilds/linux-x64/fastnn.node
echo "prebuilt addon: $(du -k "$addon" | cut -f1) kB"
nm "$addon" 2>&1 | grep -q 'no symbols' || { echo "consumer: the prebuilt addon is not stripped"; exit 1; }
hooks="$(env -u FASTNN_TEST_HOOKS node -p "Object.keys(require('./$addon')).filter((k) => /^test/.test(k)).join(' ')")"
test -z "$hooks" || { echo "consumer: the prebuilt addon exports test hooks: $hooks"; exit 1; }

echo "== ESM"
cat > esm.mjs <<'EOF'
import { MLP, Autoencoder, Word2Vec, Matrix, backendInfo } from 'fastnn';
import { writeFileSync } from 'node:fs';
const info = backendInfo();
if (info.active !== 'native') throw new Error(`backend ${info.active}: ${info.native.problem}`);
const x = new Matrix(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), 4, 2);
const net = new MLP({ layers: [2, 8, 1], task: 'binary', hidden: 'tanh', seed: 1 });
await net.fit(x, [0, 1, 1, 0], { epochs: 300, batchSize: 4, optimizer: { type: 'adam', lr: 0.05 } });
const ae = new Autoencoder({ layers: [2, 1], seed: 1 });
await ae.fit(x, { epochs: 2 });
writeFileSync('corpus.txt', 'the cat sat on the mat\nthe dog sat on the log\n'.repeat(50));
const vectors = await Word2Vec.train({ input: 'corpus.txt', vectorSize: 8, minCount: 1, epochs: 1, threads: 1 });
console.log('esm:', info.active, Array.from(net.predictClass(x)).join(''), ae.encode(x).cols, vectors.mostSimilar('cat', 1).length);
EOF
node esm.mjs

echo "== CommonJS"
cat > cjs.cjs <<'EOF'
const [major, minor] = process.versions.node.split('.').map(Number);
// require() of an ES module: Node 20.19+ and 22.12+ (20.17+ and 22.0+ with --experimental-require-module).
const requireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
let fastnn;
try {
  fastnn = require('fastnn');
} catch (err) {
  if (requireEsm) throw err;
  // Older Node: the error must say the package is an ES module.
  if (!/ES Module|ERR_REQUIRE_ESM/.test(`${err.code} ${err.message}`)) throw err;
  console.log('cjs: this Node cannot require() ES modules; the error says so:', err.code);
  process.exit(0);
}
const { MLP, Autoencoder, Word2Vec, backendInfo } = fastnn;
if (backendInfo().active !== 'native') throw new Error('not native');
new MLP({ layers: [2, 2], task: 'multiclass', seed: 1 });
new Autoencoder({ layers: [4, 2], seed: 1 });
if (typeof Word2Vec.train !== 'function') throw new Error('Word2Vec.train missing');
console.log('cjs: require(fastnn) works,', backendInfo().active);
EOF
node cjs.cjs 2>&1 | grep -v ExperimentalWarning

echo "== TypeScript, type-checked against the installed types"
cat > consumer.ts <<'EOF'
import { MLP, Autoencoder, Word2Vec, Matrix, type History, type TrainedVectors } from 'fastnn';
const net = new MLP({ layers: [2, 4, 1], task: 'binary', seed: 1 });
const history: Promise<History> = net.fit(new Matrix(new Float32Array(8), 4, 2), [0, 1, 1, 0], { epochs: 1 });
const codes: Matrix = new Autoencoder({ layers: [2, 1] }).encode(new Matrix(new Float32Array(2), 1, 2));
const vectors: Promise<TrainedVectors> = Word2Vec.train({ input: 'corpus.txt', vectorSize: 8 });
// @ts-expect-error: a misspelled option is a type error too
new MLP({ layers: [2, 1], task: 'binary', sead: 1 });
void history; void codes; void vectors;
EOF
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "module": "nodenext", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false,
  "types": ["node"] }, "files": ["consumer.ts"] }
EOF
# The compiler and Node's types come from this repository's devDependencies: nothing more is installed.
ln -s "$root/node_modules/@types" node_modules/@types
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json
echo "tsc --noEmit: ok"

echo "== npx fastnn info / demo in the consumer project"
npx --no-install fastnn info | tee "$work/info.txt"
grep -q 'native' "$work/info.txt" || { echo "consumer: fastnn info does not report the native backend"; exit 1; }
npx --no-install fastnn demo --epochs 3 2>&1 | tail -3

echo "== no prebuilt binary for this machine and no compiler: the install still succeeds, on the TS backend"
rm -rf node_modules/fastnn/prebuilds
PATH="$nobuild:$PATH" CC=false CXX=false MAKE=false npm_config_node_gyp=/bin/false \
  npm rebuild fastnn --foreground-scripts 2>&1 | tee "$work/rebuild.log"
grep -q 'native addon not built.*Retry with: npm rebuild fastnn' "$work/rebuild.log" || { echo "consumer: no one-line failure naming npm rebuild fastnn"; exit 1; }
notice="$(npx --no-install fastnn info 2>&1 >/dev/null)"
echo "$notice"
grep -q 'TypeScript backend.*`npm rebuild fastnn` builds it' <<<"$notice" || { echo "consumer: the notice does not name npm rebuild fastnn"; exit 1; }
echo "consumer: ok"
