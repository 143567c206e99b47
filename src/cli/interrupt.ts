/**
 * Ctrl-C during a CLI training run: the first SIGINT aborts the fit, whose
 * checkpointed run then writes the state where it stopped, between two
 * batches (saveOnAbort); the command prints one line naming the file and the command
 * that continues, and exits with 130 (128 + SIGINT, as a shell reports it).
 * A second Ctrl-C is not caught: it ends the process at once.
 */
import { loadCheckpoint } from '../nn/checkpoint.js';
import type { CheckpointMeta } from '../nn/checkpoint-file.js';

export interface Interruptible {
  signal: AbortSignal;
  /** Stops listening for SIGINT (training is over). */
  dispose(): void;
}

export function onCtrlC(): Interruptible {
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', abort);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', abort) };
}

/** The checkpoint written on SIGINT: --checkpoint FILE, else `fallback`. Every epoch with --checkpoint, else only on Ctrl-C. */
export function checkpointTarget(flag: string | undefined, fallback: string, overwrite: boolean) {
  return { path: flag ?? fallback, everyEpochs: flag === undefined ? 0 : 1, saveOnAbort: true, overwrite };
}

/** How a run's checkpoint is named in its errors: the flag that gave it, or what the default is for. */
export function checkpointRole(flag: string | undefined): string {
  return flag === undefined ? 'the Ctrl-C checkpoint' : '--checkpoint';
}

/** After an aborted run: the one line on stderr (after a pending progress line) and exit code 130. */
export async function reportInterrupted(command: string, args: string[], path: string, pendingLine: boolean): Promise<void> {
  const { meta } = await loadCheckpoint(path);
  process.stderr.write(`${pendingLine ? '\n' : ''}fastnn ${command}: interrupted; checkpoint ${stoppedAt(meta)} in ${path}; ` +
    `continue with: ${continueCommand(command, args, path)}\n`);
  process.exitCode = 130;
}

/** Where the checkpoint stands: "in epoch 3 of 5 after batch 17 of 40", or "after epoch 2 of 5" at an epoch's end. */
export function stoppedAt(meta: CheckpointMeta): string {
  const { epochsDone, partial, batchesPerEpoch } = meta;
  const of = meta.settings.epochs;
  return partial ? `in epoch ${epochsDone + 1} of ${of} after batch ${partial[0]} of ${batchesPerEpoch}` : `after epoch ${epochsDone} of ${of}`;
}

/** The same command line, resuming from `path`: `keep` says which of its flags (with their values) to keep. */
export function continueCommand(command: string, args: string[], path: string,
                                keep: (flag: string) => boolean = (flag) => flag !== '--resume'): string {
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
