/**
 * Chooses the backend once: the native addon when it loads, the TS kernels
 * otherwise. `FASTNN_BACKEND=js|native` forces a choice; forcing `native`
 * when it cannot load is an error, never a silent fallback.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { buildCommand, createNativeBackend, loadNativeAddon, type NativeAddon } from './native.js';
import { checkInt, MAX_THREADS } from './validate.js';

/** Which backend computes: the native C++ addon or the pure-TypeScript one. */
export type BackendName = 'native' | 'js';

interface NativeState {
  addon: NativeAddon | null;
  /** Why the addon is not usable: not built, or built but failing to load. */
  problem: string | null;
}

let nativeState: NativeState | null = null;
let active: Backend | null = null;
let noticeShown = false;

function nativeAddon(): NativeState {
  if (nativeState) return nativeState;
  try {
    nativeState = { addon: loadNativeAddon(), problem: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const notBuilt = /Could not locate the bindings file/.test(message);
    nativeState = {
      addon: null,
      // The command must work where the user is: `npm rebuild fastnn` in their project.
      problem: notBuilt
        ? `no native addon for ${process.platform}-${process.arch} is installed (\`${buildCommand()}\` builds it; ` +
          'that needs Python 3, make and a C++17 compiler)'
        : `the native addon failed to load: ${message.split('\n')[0]} (\`${buildCommand()}\` rebuilds it)`,
    };
  }
  return nativeState;
}

function pick(name: BackendName | 'auto'): Backend {
  if (name === 'js') return jsBackend;
  const { addon, problem } = nativeAddon();
  if (addon) return createNativeBackend(addon);
  if (name === 'native') throw new Error(`fastnn: native backend requested but ${problem}`);
  if (!noticeShown && !process.env['FASTNN_QUIET']) {
    noticeShown = true;
    process.stderr.write(`fastnn: using the pure-TypeScript backend: ${problem}\n`);
  }
  return jsBackend;
}

function envChoice(): BackendName | 'auto' {
  const value = process.env['FASTNN_BACKEND'];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'js' || value === 'native') return value;
  throw new Error(`fastnn: FASTNN_BACKEND must be 'js', 'native' or 'auto', got '${value}'`);
}

/** The backend in use (chosen on first call from FASTNN_BACKEND, else auto). */
export function getBackend(): Backend {
  active ??= pick(envChoice());
  return active;
}

/** Switches every later operation to the named backend ('auto' = native if it loads). */
export function useBackend(name: BackendName | 'auto'): Backend {
  if (name !== 'js' && name !== 'native' && name !== 'auto') {
    throw new TypeError(`useBackend: name must be 'js', 'native' or 'auto', got ${String(name)}`);
  }
  active = pick(name);
  return active;
}

/** For support questions: which backend runs, and what the addon reports. */
export function backendInfo(): {
  active: BackendName;
  native: { available: boolean; version: string | null; cpuFeatures: string[]; problem: string | null };
} {
  const { addon, problem } = nativeAddon();
  return {
    active: getBackend().name,
    native: {
      available: addon !== null,
      version: addon?.version ?? null,
      cpuFeatures: addon?.cpuFeatures() ?? [],
      problem,
    },
  };
}

/**
 * Threads the native kernels and trainers use, the calling thread included
 * (0 = one per hardware core, the default). The TypeScript backend always
 * computes on the calling thread; without the addon this only checks `n`.
 */
export function setThreads(n: number): void {
  checkInt('setThreads', 'n', n, 0, MAX_THREADS);
  nativeAddon().addon?.setThreads(n);
}

/** Threads the native kernels use now (1 without the addon). */
export function getThreads(): number {
  return nativeAddon().addon?.getThreads() ?? 1;
}
