/**
 * Option objects are checked key by key: a misspelled option is an error that
 * names it, never silently ignored (as better-sqlite3 does).
 */
export function checkOptions(fn: string, what: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: ${what} must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${fn}: unknown option '${key}' in ${what} (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** The largest count an option takes: what a signed 32-bit index addresses. */
const MAX_COUNT = 2147483647;

// An integer from `min` up to MAX_COUNT, saying which bound a value breaks.
function boundedInt(fn: string, name: string, v: unknown, min: number, kind: string): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${fn}: ${name} must be a ${kind} integer, got ${v}`);
  if (v > MAX_COUNT) throw new RangeError(`${fn}: ${name} must be at most ${MAX_COUNT}, got ${v}`);
  return v;
}

export function positiveInt(fn: string, name: string, v: unknown, fallback: number): number {
  return v === undefined ? fallback : boundedInt(fn, name, v, 1, 'positive');
}

export function finiteNumber(fn: string, name: string, v: unknown, fallback: number, min = -Infinity): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isFinite(v) || v < min) {
    throw new RangeError(`${fn}: ${name} must be a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${v}`);
  }
  return v;
}

export function nonNegativeInt(fn: string, name: string, v: unknown, fallback: number): number {
  return v === undefined ? fallback : boundedInt(fn, name, v, 0, 'non-negative');
}
