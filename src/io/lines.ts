/**
 * A text file's lines, streamed: memory holds one block and one line,
 * whatever the file's size, and a line longer than the caller allows is an
 * error naming the file and line rather than a string the engine cannot
 * hold ("Invalid string length" after reading /dev/zero for a while).
 */
import { StringDecoder } from 'node:string_decoder';
import { openForReading } from './file-errors.js';

const BLOCK = 1 << 16;

/**
 * Yields each line of the UTF-8 file at `path` without its '\n' (or "\r\n").
 * Opening failures throw `errorClass` ("<path>: does not exist"); a line of
 * more than `maxChars` characters throws a RangeError "<path>: line N: …".
 */
export async function* readLines(
  path: string,
  maxChars: number,
  errorClass: new (message: string, options?: { cause: unknown }) => Error,
): AsyncGenerator<string> {
  const file = await openForReading(path, errorClass);
  try {
    const decoder = new StringDecoder('utf8');
    const block = Buffer.allocUnsafe(BLOCK);
    let pending = '';
    let line = 1;
    const take = (text: string): string => {
      if (pending.length + text.length > maxChars) {
        throw new RangeError(`${path}: line ${line}: longer than ${maxChars} characters`);
      }
      return pending + text;
    };
    for (;;) {
      const { bytesRead } = await file.read(block, 0, BLOCK, null);
      const text = bytesRead > 0 ? decoder.write(block.subarray(0, bytesRead)) : decoder.end();
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        yield take(text.slice(start, nl)).replace(/\r$/, '');
        pending = '';
        line++;
        start = nl + 1;
      }
      pending = take(text.slice(start));
      if (bytesRead === 0) break;
    }
    if (pending !== '') yield pending;
  } finally {
    await file.close();
  }
}
