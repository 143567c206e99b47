/**
 * One check before a model allocates from sizes the user gave: a RangeError
 * naming the option and the memory it would take ("vectorSize × vocabulary
 * = 1.07e11 floats, 428 GB"), instead of the engine's "Invalid typed array
 * length" or an out-of-memory crash half-way through building the model.
 */
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';

/** The longest typed array this engine allocates (elements; 2^32 on Node 20). */
const MAX_ARRAY_ELEMENTS = constants.MAX_LENGTH;

function gigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 10 ? `${Math.round(gb)} GB` : gb >= 0.1 ? `${gb.toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}

/**
 * Throws a RangeError when `count` values of `bytesPerValue` bytes, in arrays
 * of at most `largest` values, exceed this machine's memory or the longest
 * array the engine allows. `what` names the options the count comes from.
 */
export function checkAllocation(fn: string, what: string, count: number, bytesPerValue: number, largest = count): void {
  const bytes = count * bytesPerValue;
  const why = bytes > totalmem() ? `more than this machine's ${gigabytes(totalmem())} of memory`
    : largest > MAX_ARRAY_ELEMENTS ? `one array of ${largest.toExponential(2).replace('e+', 'e')} values is more than the ${MAX_ARRAY_ELEMENTS} an array holds`
      : null;
  if (why) throw new RangeError(`${fn}: ${what} = ${count.toExponential(2).replace('e+', 'e')} ${bytesPerValue === 4 ? 'floats' : 'values'}, ${gigabytes(bytes)}: ${why}`);
}

/** Weights and biases of a dense stack with these widths: the total and the largest single matrix. */
export function denseParams(widths: readonly number[]): { total: number; largest: number } {
  let total = 0, largest = 0;
  for (let l = 1; l < widths.length; l++) {
    total += widths[l - 1]! * widths[l]! + widths[l]!;
    largest = Math.max(largest, widths[l - 1]! * widths[l]!);
  }
  return { total, largest };
}

/** checkAllocation for the float32 parameters of a dense stack; `option` names the widths ("config.layers"). */
export function checkLayerSizes(fn: string, option: string, widths: readonly number[]): void {
  const { total, largest } = denseParams(widths);
  checkAllocation(fn, `the parameters of ${option} [${widths.join(', ')}]`, total, 4, largest);
}
