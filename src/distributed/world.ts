/**
 * The processes of a multi-process run and what they do together. Outside
 * an MPI launcher the world is this process alone (rank 0 of 1) and every
 * collective returns its input; under mpirun / srun the MPI addon is loaded
 * and initialised once, and the collectives go through it.
 */
import { launcherVariable } from './launcher.js';
import { loadMpiAddon, type MpiAddon, type RoundTimes } from './mpi-addon.js';

export type { RoundTimes } from './mpi-addon.js';

/** Where this process stands in a multi-process run (what `distributed()` resolves with). */
export interface DistributedInfo {
  /** This process, 0 … size − 1. */
  rank: number;
  /** Processes in the run: 1 outside mpirun/srun. */
  size: number;
}

/** The collectives the trainers use. Every rank must make the same calls in the same order. */
export interface World extends DistributedInfo {
  /** array ← Σ over ranks in place, added in rank order 0, 1, …: every rank gets the same bits. */
  allreduceSum(array: Float32Array | Float64Array): Promise<void>;
  /** array ← the mean over ranks in place (the rank-ordered sum times 1/size). */
  allreduceAverage(array: Float32Array | Float64Array): Promise<void>;
  /** The first `count` floats of each array (on SharedArrayBuffers) ← their mean over the ranks, in place and off the
   * JS thread: with `replace` the mean itself (the same bits everywhere), otherwise value + (mean − the copy sent),
   * so what other threads write meanwhile is kept. */
  averageInPlace(arrays: Float32Array[], count: number, replace: boolean): Promise<void>;
  /** One round of word2vec's averaging, off the JS thread: header ← Σ over ranks (as allreduceSum), then
   * averageInPlace(arrays, count, false); what it took. */
  averageRound(header: Float64Array, arrays: Float32Array[], count: number): Promise<RoundTimes>;
  /** array ← root's, in place. */
  broadcast(array: ArrayBufferView, root?: number): Promise<void>;
  /** bytes of any length from root to every rank (the others pass null). */
  broadcastBytes(bytes: Uint8Array | null, root?: number): Promise<Uint8Array>;
  /** On rank 0, every rank's bytes in rank order; null elsewhere. */
  gather(bytes: Uint8Array): Promise<Uint8Array[] | null>;
  barrier(): Promise<void>;
  /**
   * Fails on every rank, with one message naming each difference, unless
   * every rank passed the same values: the settings a run's ranks must share.
   */
  agree(fn: string, values: Record<string, string | number | boolean | null>): Promise<void>;
  /** The type-tagged external a native job takes to talk to the other ranks; null outside MPI. */
  communicator(): object | null;
}

const alone: World = {
  rank: 0,
  size: 1,
  allreduceSum: async () => {},
  allreduceAverage: async () => {},
  averageInPlace: async () => {},
  averageRound: async () => ({ headerSeconds: 0, seconds: 0, cpuSeconds: 0 }),
  broadcast: async () => {},
  broadcastBytes: async (bytes) => bytes ?? new Uint8Array(0),
  gather: async (bytes) => [bytes],
  barrier: async () => {},
  agree: async () => {},
  communicator: () => null,
};

let started: Promise<World> | null = null;

/** The world of this process: started on first call (MPI_Init under a launcher), the same object afterwards. */
export function world(): Promise<World> {
  started ??= launcherVariable() === null ? Promise.resolve(alone) : startMpi();
  return started;
}

/**
 * This process's place in a multi-process run: `{ rank, size }`, rank 0 of
 * 1 outside `mpirun` / `srun`. Under a launcher the first call initialises
 * MPI; it rejects when fastnn's MPI addon is not built.
 */
export async function distributed(): Promise<DistributedInfo> {
  const { rank, size } = await world();
  return { rank, size };
}

async function startMpi(): Promise<World> {
  const addon = loadMpiAddon();
  if (addon instanceof Error) throw addon;
  const { rank, size } = await addon.init();
  // MPI_Finalize at exit; a failed rank that the others do not join there
  // soon ends anyway, and mpirun then ends the others (mpi_addon.cc finish).
  process.on('exit', (code) => addon.finish(code));
  return mpiWorld(addon, rank, size);
}

function mpiWorld(addon: MpiAddon, rank: number, size: number): World {
  const broadcastBytes = async (bytes: Uint8Array | null, root = 0): Promise<Uint8Array> => {
    const length = Float64Array.of(rank === root ? bytes!.length : 0);
    await addon.broadcast(length, root);
    const out = rank === root ? bytes! : new Uint8Array(length[0]!);
    await addon.broadcast(out, root);
    return out;
  };
  return {
    rank,
    size,
    allreduceSum: (array) => addon.allreduceSum(array),
    async allreduceAverage(array) {
      await addon.allreduceSum(array);
      const inverse = 1 / size;
      for (let i = 0; i < array.length; i++) array[i] = array[i]! * inverse;
    },
    averageInPlace: (arrays, count, replace) => addon.averageInPlace(arrays, count, replace),
    averageRound: (header, arrays, count) => addon.averageRound(header, arrays, count),
    broadcast: (array, root = 0) => addon.broadcast(array, root),
    broadcastBytes,
    gather: (bytes) => addon.gather(bytes, 0),
    barrier: () => addon.barrier(),
    async agree(fn, values) {
      const mine = JSON.stringify(values);
      const all = await addon.gather(Buffer.from(mine), 0);
      let message = '';
      if (all) {
        const first = JSON.parse(Buffer.from(all[0]!).toString()) as Record<string, unknown>;
        const differences: string[] = [];
        all.slice(1).forEach((bytes, i) => {
          const other = JSON.parse(Buffer.from(bytes).toString()) as Record<string, unknown>;
          for (const key of Object.keys(first)) {
            if (first[key] !== other[key]) {
              differences.push(`${key} is ${JSON.stringify(first[key])} on rank 0 but ${JSON.stringify(other[key])} on rank ${i + 1}`);
            }
          }
        });
        if (differences.length > 0) message = `${fn}: the ranks of this run disagree: ${differences.join('; ')}`;
      }
      const verdict = Buffer.from(await broadcastBytes(rank === 0 ? Buffer.from(message) : null)).toString();
      if (verdict !== '') throw new RangeError(verdict);
    },
    communicator: () => addon.communicator(),
  };
}
