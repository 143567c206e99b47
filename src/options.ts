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

export function positiveInt(fn: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < 1 || v > 2147483647) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  return v;
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
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < 0 || v > 2147483647) {
    throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
  }
  return v;
}
