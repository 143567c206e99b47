// PyTorch as an optional peer for the training suite, at its best: Debian's
// python3 with python3-torch runs bench/lib/torch_train.py on the same data
// (raw float32 files in a temp dir), once per thread setting, each setting in
// its own process; the suite counts the fastest.
//
// A setting is ATen's intra-op threads and OpenBLAS's threads. OpenBLAS keeps
// its own pool, sized by OPENBLAS_NUM_THREADS (else OMP_NUM_THREADS, else every
// core) whatever torch.set_num_threads says: left at its default, "1 thread"
// ran 2 BLAS threads and "2 threads" 2 × 2 on 2 cores. So each process gets
// its OpenBLAS count through peerEnv (openblas.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PYTHON, peerEnv, pythonPeerSkipped } from './openblas.mjs';

const SCRIPT = new URL('./torch_train.py', import.meta.url).pathname;

/** The settings tried on `cores` cores: one thread, OpenBLAS on every core, ATen on every core. */
export function torchSettings(cores) {
  const settings = [
    { intraOp: 1, blas: 1 },
    { intraOp: 1, blas: cores },
    { intraOp: cores, blas: 1 },
  ];
  return settings.filter((s, i) => settings.findIndex((t) => t.intraOp === s.intraOp && t.blas === s.blas) === i);
}

export const settingLabel = ({ intraOp, blas }) => `intra-op ${intraOp}, OpenBLAS ${blas}`;

export function torchDriver() {
  const skipped = pythonPeerSkipped('torch', 'python3-torch');
  if (skipped) return { skipped };
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
    version: execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { env: peerEnv(1) })
      .toString()
      .trim(),
    file,
    /** Runs torch_train.py with `config` (its argv JSON) under `setting`; its JSON result. */
    run(setting, config) {
      const out = execFileSync(PYTHON, [SCRIPT, JSON.stringify({ ...config, intraOp: setting.intraOp })], { env: peerEnv(setting.blas), maxBuffer: 1 << 20 });
      return JSON.parse(out.toString().trim().split('\n').at(-1));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
