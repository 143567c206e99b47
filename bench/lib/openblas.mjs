// OpenBLAS sgemm as an optional peer: a tiny C driver compiled at bench time
// in a temp dir (never committed) against Debian's libopenblas-dev. Returns
// null with a reason when the library or a C compiler is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SOURCE = String.raw`
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return (x > y) - (x < y); }
/* argv: m n k transA transB runs -> prints the median seconds per call */
int main(int argc, char** argv) {
  if (argc != 7) return 2;
  int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]), ta = atoi(argv[4]), tb = atoi(argv[5]), runs = atoi(argv[6]);
  float* a = malloc(sizeof(float) * m * k); float* b = malloc(sizeof(float) * k * n); float* c = malloc(sizeof(float) * m * n);
  for (long i = 0; i < (long)m * k; i++) a[i] = (float)rand() / RAND_MAX - 0.5f;
  for (long i = 0; i < (long)k * n; i++) b[i] = (float)rand() / RAND_MAX - 0.5f;
  #define CALL cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n)
  CALL;
  int reps = 1;
  for (;;) { double t0 = now(); for (int i = 0; i < reps; i++) CALL; double t = now() - t0; if (t >= 0.02 || reps >= (1 << 20)) break; reps *= 2; }
  double* s = malloc(sizeof(double) * runs);
  for (int r = 0; r < runs; r++) { double t0 = now(); for (int i = 0; i < reps; i++) CALL; s[r] = (now() - t0) / reps; }
  qsort(s, runs, sizeof(double), cmp);
  printf("%.9g\n", runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2);
  return 0;
}
`;

/** Debian's interpreter, where python3-numpy and python3-torch live. */
export const PYTHON = '/usr/bin/python3';

// glibc's malloc for the python peers: allocations under 32 MiB from the
// heap, and freed memory kept rather than given back to the system. By
// default glibc returns the top of the heap to the system once it is free,
// so a tensor freed and allocated again every batch touches fresh pages
// each time; where a fresh page costs ~10 µs (some VMs), PyTorch's
// autoencoder epoch took 3.5-5.7 s instead of 1.6.
const PEER_MALLOC = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296';

/**
 * The environment of a peer that runs on OpenBLAS (numpy, PyTorch, the sgemm
 * driver): OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to `blasThreads`, and
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed, which this machine sets for
 * its tests to force slower kernels, so OpenBLAS detects the CPU itself, and
 * malloc set to keep freed memory (PEER_MALLOC). Only the peer's environment
 * changes, never fastnn's.
 */
export function peerEnv(blasThreads) {
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(blasThreads),
    OPENBLAS_NUM_THREADS: String(blasThreads),
    GLIBC_TUNABLES: PEER_MALLOC,
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

// Prints the libblas.so files a python3 process maps once it imports a
// module (argv[1]). Debian's numpy and PyTorch call whichever libblas.so.3
// the alternatives system points to: without libopenblas-dev that is the
// reference BLAS, with which PyTorch's T2 epoch took 19 s instead of 0.8 (a
// peer far from its best, and the ratios worthless). A build with its BLAS
// linked in (pip's, with MKL) maps none.
const BLAS_PROBE =
  "import importlib, json, sys; importlib.import_module(sys.argv[1]); print(json.dumps(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libblas.so' in l})))";
const TUNED_BLAS = /openblas|mkl|blis/i;

/** Why Debian's python3 cannot run `module` as a peer at its best (not installed, or on the reference BLAS), or null. */
export function pythonPeerSkipped(module, aptPackage) {
  let blas;
  try {
    blas = JSON.parse(execFileSync(PYTHON, ['-c', BLAS_PROBE, module], { stdio: ['ignore', 'pipe', 'ignore'], env: peerEnv(1) }).toString());
  } catch {
    return `${aptPackage} is not installed (apt-get install ${aptPackage})`;
  }
  const untuned = blas.filter((lib) => !TUNED_BLAS.test(lib));
  return untuned.length > 0 ? `${module} would run on the reference BLAS (${untuned.join(', ')}), far from its best (apt-get install libopenblas-dev)` : null;
}

// { run(m, n, k, transA, transB, threads, runs) -> seconds, cleanup() } or { skipped: reason }.
export function openblasDriver() {
  if (!existsSync('/usr/include/x86_64-linux-gnu/cblas.h') && !existsSync('/usr/include/cblas.h')) {
    return { skipped: 'libopenblas-dev not installed' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fastnn-openblas-'));
  const exe = path.join(dir, 'sgemm');
  try {
    writeFileSync(path.join(dir, 'sgemm.c'), SOURCE);
    execFileSync('cc', ['-O2', '-o', exe, path.join(dir, 'sgemm.c'), '-lopenblas'], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `could not build the OpenBLAS driver: ${String(err.stderr ?? err.message).split('\n')[0]}` };
  }
  return {
    run(m, n, k, transA, transB, threads, runs) {
      const out = execFileSync(exe, [m, n, k, +transA, +transB, runs].map(String), { env: peerEnv(threads) });
      return Number(out.toString().trim());
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
