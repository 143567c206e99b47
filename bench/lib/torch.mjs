// PyTorch as an optional peer for the training suite: Debian's python3 with
// python3-torch, run through bench/lib/torch_train.py on the same data (raw
// float32 files in a temp dir). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are
// removed for the peer's process only: this machine sets them to force slow
// kernels, and the comparison is against PyTorch at its best.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-torch lives
const SCRIPT = new URL('./torch_train.py', import.meta.url).pathname;

function peerEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export function torchDriver() {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', env: peerEnv() });
  } catch {
    return { skipped: 'python3-torch is not installed (apt-get install python3-torch)' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fastnn-torch-'));
  const files = new Map();
  // Writes a typed array once and returns its path.
  const file = (name, array) => {
    if (!files.has(name)) {
      const p = path.join(dir, `${name}.bin`);
      writeFileSync(p, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      files.set(name, p);
    }
    return files.get(name);
  };
  return {
    version: execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { env: peerEnv() }).toString().trim(),
    file,
    run(config) {
      const out = execFileSync(PYTHON, [SCRIPT, JSON.stringify(config)], { env: peerEnv(), maxBuffer: 1 << 20 });
      return JSON.parse(out.toString().trim().split('\n').at(-1));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
