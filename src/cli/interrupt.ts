/**
 * Ctrl-C (SIGINT) or SIGTERM — what docker stop, timeout, Kubernetes and a
 * cancelled CI job send — during a CLI training run: the first aborts the
 * fit, whose checkpointed run then writes the state where it stopped,
 * between two batches (saveOnAbort); the command prints one line naming
 * the file and the command that continues, and exits with 128 + the
 * signal's number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM.
 * A second signal of either kind is not caught: it ends the process at once.
 */
import { constants } from 'node:os';
import { loadCheckpoint } from '../nn/checkpoint.js';
import type { CheckpointMeta } from '../nn/checkpoint-file.js';

export interface Interruptible {
  signal: AbortSignal;
  /** Stops listening for the signals (training is over). */
  dispose(): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** How a run stopped by `signal.reason` is reported: "interrupted" (SIGINT), "terminated" (SIGTERM), and the exit status. */
export interface Stopped {
  word: string;
  status: number;
}

export function onStopSignals(): Interruptible {
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals) => {
    dispose();
    const stopped: Stopped = { word: name === 'SIGINT' ? 'interrupted' : 'terminated', status: 128 + constants.signals[name] };
    controller.abort(Object.assign(new Error(stopped.word), { stopped }));
  };
  const dispose = () => {
    for (const name of STOP_SIGNALS) process.off(name, stop);
  };
  for (const name of STOP_SIGNALS) process.on(name, stop);
  return { signal: controller.signal, dispose };
}

/** How the run whose signal aborted was stopped. */
export function stoppedBy(signal: AbortSignal): Stopped {
  return (signal.reason as { stopped: Stopped }).stopped;
}

/** The checkpoint written on Ctrl-C or SIGTERM: --checkpoint FILE, else `fallback`. Every epoch with --checkpoint, else only on a signal. */
export function checkpointTarget(flag: string | undefined, fallback: string, overwrite: boolean) {
  return { path: flag ?? fallback, everyEpochs: flag === undefined ? 0 : 1, saveOnAbort: true, overwrite };
}

/** How a run's checkpoint is named in its errors: the flag that gave it, or what the default is for. */
export function checkpointRole(flag: string | undefined): string {
  return flag === undefined ? 'the Ctrl-C checkpoint' : '--checkpoint';
}

/** After a run a signal stopped: the one line on stderr (after a pending progress line) and exit code 130 or 143. */
export async function reportInterrupted(command: string, args: string[], path: string, pendingLine: boolean, stopped: Stopped): Promise<void> {
  const { meta } = await loadCheckpoint(path);
  process.stderr.write(
    `${pendingLine ? '\n' : ''}fastnn ${command}: ${stopped.word}; checkpoint ${stoppedAt(meta)} in ${path}; ` +
      `continue with: ${continueCommand(command, args, path)}\n`,
  );
  process.exitCode = stopped.status;
}

/** Where the checkpoint stands: "in epoch 3 of 5 after batch 17 of 40", or "after epoch 2 of 5" at an epoch's end. */
export function stoppedAt(meta: CheckpointMeta): string {
  const { epochsDone, partial, batchesPerEpoch } = meta;
  const of = meta.settings.epochs;
  return partial ? `in epoch ${epochsDone + 1} of ${of} after batch ${partial[0]} of ${batchesPerEpoch}` : `after epoch ${epochsDone} of ${of}`;
}

/** The same command line, resuming from `path`: `keep` says which of its flags (with their values) to keep. */
export function continueCommand(command: string, args: string[], path: string, keep: (flag: string) => boolean = (flag) => flag !== '--resume'): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = arg.split('=')[0]!;
    const takesValue = !arg.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('--');
    if (keep(flag)) kept.push(arg, ...(takesValue ? [args[i + 1]!] : []));
    if (takesValue) i++;
  }
  return ['fastnn', command, ...kept, '--resume', path].map(quote).join(' ');
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
