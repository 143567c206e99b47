/**
 * The backends a conformance suite runs against, and the pair the agreement
 * suites compare.
 *
 * FASTNN_BACKEND=js|native restricts the per-backend suites to one (CI runs
 * the suite once per backend); otherwise every backend that loads is tested.
 * The agreement suites (native == TS) get both backends whenever the run may
 * use the addon, so they run in CI's FASTNN_BACKEND=native run and are left
 * out of its js run (which must not need the addon). A missing addon is an
 * error when FASTNN_BACKEND=native or FASTNN_REQUIRE_NATIVE=1, never a skip.
 */
import { existsSync } from 'node:fs';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { createNativeBackend, loadNativeAddon, type NativeAddon, type NativeTestHooks } from '../../src/backend/native.js';

const forced = process.env['FASTNN_BACKEND'];
const nativeRequired = forced === 'native' || process.env['FASTNN_REQUIRE_NATIVE'] === '1';

function nativeBackend(): Backend | null {
  try {
    return createNativeBackend(loadNativeAddon());
  } catch (err) {
    if (nativeRequired) throw err;
    return null;
  }
}

export function backendsUnderTest(): Backend[] {
  if (forced === 'js') return [jsBackend];
  const native = nativeBackend();
  if (forced === 'native') return [native!];
  return native ? [jsBackend, native] : [jsBackend];
}

/** Both backends, for the suites that compare them; null when this run does not load the addon. */
export function backendPair(): { js: Backend; native: Backend } | null {
  if (forced === 'js') return null;
  const native = nativeBackend();
  return native ? { js: jsBackend, native } : null;
}

/** The addon file the loader picks (Release before Debug), for tests that load it in a Worker. */
export function nativeAddonPath(): string {
  const release = new URL('../../build/Release/fastnn.node', import.meta.url).pathname;
  return existsSync(release) ? release : new URL('../../build/Debug/fastnn.node', import.meta.url).pathname;
}

/**
 * The addon with its test hooks, which it registers only when
 * FASTNN_TEST_HOOKS=1 as it loads (vitest.config.ts sets it for every test).
 */
export function nativeWithTestHooks(): NativeAddon & NativeTestHooks {
  const addon = loadNativeAddon() as NativeAddon & Partial<NativeTestHooks>;
  if (typeof addon.testRng !== 'function' || typeof addon.testBackgroundJob !== 'function') {
    throw new Error('the addon has no test hooks: load it with FASTNN_TEST_HOOKS=1 (vitest.config.ts sets it)');
  }
  return addon as NativeAddon & NativeTestHooks;
}
