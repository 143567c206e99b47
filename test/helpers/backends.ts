/**
 * The backends a conformance suite runs against. FASTNN_BACKEND=js|native
 * restricts the run to one (CI runs the suite once per backend, so a missing
 * addon fails loudly there); otherwise every backend that loads is tested.
 */
import { existsSync } from 'node:fs';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { createNativeBackend, loadNativeAddon } from '../../src/backend/native.js';

function nativeBackend(): Backend | null {
  try {
    return createNativeBackend(loadNativeAddon());
  } catch (err) {
    if (process.env['FASTNN_BACKEND'] === 'native') throw err;
    return null;
  }
}

export function backendsUnderTest(): Backend[] {
  const forced = process.env['FASTNN_BACKEND'];
  if (forced === 'js') return [jsBackend];
  const native = nativeBackend();
  if (forced === 'native') return [native!];
  return native ? [jsBackend, native] : [jsBackend];
}

/** The addon file the loader picks (Release before Debug), for tests that load it in a Worker. */
export function nativeAddonPath(): string {
  const release = new URL('../../build/Release/fastnn.node', import.meta.url).pathname;
  return existsSync(release) ? release : new URL('../../build/Debug/fastnn.node', import.meta.url).pathname;
}
