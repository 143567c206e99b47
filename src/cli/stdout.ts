/**
 * What the commands write on stdout beyond console.log's lines: large
 * output (vectors) in blocks, waiting whenever the pipe is full, so memory
 * stays the blocks already built. A reader that closes the pipe early
 * (`| head`) ends the process quietly: main.ts handles EPIPE.
 */
import { once } from 'node:events';

export async function writeStdout(chunks: Iterable<Uint8Array | string>): Promise<void> {
  for (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}
