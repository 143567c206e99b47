/**
 * Work of the TS backend that cannot be sliced at step granularity: one
 * training step of a large network (a product of 64 × 1000 by 1000 × 20 000
 * is over a second of TS) runs as a generator that yields between pieces of
 * about a millisecond, so a caller on the event loop (trainer.ts, through
 * SliceClock.finish) can let the loop turn between two of them and resume
 * the step exactly where it left off, while a synchronous caller runs every
 * piece at once (`whole`). Both run the same arithmetic in the same order,
 * so cutting a step never changes a bit.
 *
 * A step that would never yield (trainer.ts stepIsOnePiece) does not come
 * as pieces at all: each pass also has a plain driver over the same helpers,
 * as creating and resuming generators was ~40% of a tiny step.
 *
 * A step yields `true` between two pieces where it may be abandoned (it has
 * written only scratch: activations, deltas, gradients), `false` where it
 * must run to its end (it has started writing weights or optimizer state).
 */

/** A step in pieces: yields between two pieces whether it may stop there, and returns its result. */
export type Pieces<T> = Generator<boolean, T, undefined>;

/** How large a piece may be. `work`: multiply-adds per piece of a product
 * (gemm.ts gemmPieces sizes them by time up to this: under a millisecond
 * once compiled). `entries`: entries per piece of an element-wise pass over
 * the parameters (an optimizer's dry run or update, a scan for the largest
 * weight): about a millisecond. The tests shrink both, to cut small
 * networks into many pieces. */
export const pieceSize = { work: 1 << 20, entries: 1 << 18 };

/** Runs every piece at once and returns the result: for the synchronous backend calls. */
export function whole<T>(pieces: Pieces<T>): T {
  let r = pieces.next();
  while (!r.done) r = pieces.next();
  return r.value;
}

/** `pieces` with every yield saying it must run to its end: for a step that has already written what outlives it. */
export function* toTheEnd<T>(pieces: Pieces<T>): Pieces<T> {
  let r = pieces.next();
  while (!r.done) {
    yield false;
    r = pieces.next();
  }
  return r.value;
}
