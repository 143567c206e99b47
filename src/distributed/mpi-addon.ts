/**
 * Loads the optional MPI addon, fastnn_mpi.node (native/mpi/, built by
 * `npm run build:mpi` where MPI is installed), and describes what it exports.
 * Only world.ts loads it, and only under an MPI launcher.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Seconds a round of averageRound took on this rank's communication thread. */
export interface RoundTimes {
  /** Wall time until the header was summed: mostly waiting for the other ranks to reach the round. */
  headerSeconds: number;
  /** Wall time of the rows after it (training goes on meanwhile). */
  seconds: number;
  /** CPU time the communication thread spent on the rows: what the round took from training. The rest of their
   * wall time it waited for its peers' threads, or for a core. */
  cpuSeconds: number;
}

/** What native/mpi/mpi_addon.cc exports. Every MPI call runs on the addon's communication thread. */
export interface MpiAddon {
  /** [async] MPI_Init_thread once; this process's rank and the world's size. */
  init(): Promise<{ rank: number; size: number }>;
  /** [async] array ← Σ over ranks, added in rank order (every rank gets the same bits), in place. */
  allreduceSum(array: Float32Array | Float64Array): Promise<void>;
  /** [async] The first `count` floats of each array ← their mean over the ranks, in place, by the communication
   * thread while others may write them (each array must be on a SharedArrayBuffer): `replace` sets the mean,
   * otherwise each value gets (mean − the copy sent), keeping what was written meanwhile. */
  averageInPlace(arrays: Float32Array[], count: number, replace: boolean): Promise<void>;
  /** [async] header ← Σ over ranks (as allreduceSum), then averageInPlace(arrays, count, false), as one task on
   * the communication thread; resolves with what the round took. */
  averageRound(header: Float64Array, arrays: Float32Array[], count: number): Promise<RoundTimes>;
  /** [async] array ← root's bytes, in place. */
  broadcast(array: ArrayBufferView, root: number): Promise<void>;
  /** [async] On root, every rank's bytes in rank order; null on the others. */
  gather(bytes: Uint8Array, root: number): Promise<Uint8Array[] | null>;
  /** [async] Resolves once every rank called it. */
  barrier(): Promise<void>;
  /** [sync] The world as a type-tagged external for the main addon's jobs (native/core/communicator.h). */
  communicator(): object;
  /** [sync] From process.on('exit'): MPI_Finalize, waited for 30 s after exit code 0, 2 s otherwise; then the
   * process ends with its code (mpirun then ends the other ranks). */
  finish(exitCode: number): void;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the addon is looked for, in order. */
export const MPI_ADDON_PATHS = ['Release', 'Debug'].map((kind) => join(root, 'native', 'mpi', 'build', kind, 'fastnn_mpi.node'));

/** The addon, or an Error saying why it cannot be used. */
export function loadMpiAddon(): MpiAddon | Error {
  const path = MPI_ADDON_PATHS.find((p) => existsSync(p));
  if (path === undefined) {
    return new Error(
      'fastnn runs under an MPI launcher but its MPI addon is not built: install MPI ' +
        '(Debian: apt-get install openmpi-bin libopenmpi-dev) and run `npm run build:mpi` in the fastnn package',
    );
  }
  try {
    return createRequire(import.meta.url)(path) as MpiAddon;
  } catch (err) {
    return new Error(`fastnn's MPI addon ${path} does not load: ${(err as Error).message}`);
  }
}
