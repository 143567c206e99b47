/**
 * What a save does with what its path names (src/io/write-target.ts,
 * atomic.ts), on each backend: a character device or FIFO is written
 * through and stays what it was; a FIFO nobody reads is refused at once; a
 * block device or socket is refused; a read-only file is refused unless the
 * caller passes overwrite; a replaced file keeps its mode (and, as root, its
 * owner); a symbolic link is followed and stays a link. checkWritable, the
 * check before training, says the same.
 *
 * The CI runs as root, which passes every permission check: these tests hold
 * for root and for other users. As root, device nodes are twins made in the
 * test's directory (helpers/devices.ts), never the machine's /dev/null.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Figure, FileWriteError, fitWithCheckpoints, MLP, useBackend, Word2Vec, WordVectors } from '../../src/index.js';
import { checkWritable, writeFileAtomic } from '../../src/io/atomic.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { characterDevice } from '../helpers/devices.js';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-save-targets-'));
afterAll(() => {
  useBackend('auto');
  rmSync(dir, { recursive: true, force: true });
});
const root = process.getuid?.() === 0;
const modeOf = (path: string) => statSync(path).mode & 0o7777;
const tempsIn = (at: string) => readdirSync(at).filter((f) => f.endsWith('.tmp'));
// 1 MiB: more than a pipe holds, so a FIFO's reader must drain it while the save writes.
const big = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => i % 251));

function fifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

/**
 * `cat` reading the FIFO. It counts as a reader once it is in open(); the
 * probe, a second writer held open until `finish`, shows that, and keeps
 * cat from seeing the end of its input between two writers.
 */
async function reader(path: string): Promise<{ finish(): Promise<Buffer> }> {
  const cat = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  cat.stdout.on('data', (c: Buffer) => chunks.push(c));
  let probe = -1;
  for (let tries = 0; probe < 0; tries++) {
    try {
      probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || tries > 500) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return {
    async finish() {
      const exited = new Promise((resolve) => cat.once('exit', resolve));
      closeSync(probe);
      await exited;
      return Buffer.concat(chunks);
    },
  };
}

describe.each(backendsUnderTest().map((b) => [b.name]))('save targets on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');
  const net = (seed = 1) => new MLP({ layers: [2, 3, 1], task: 'regression', seed });
  const at = (file: string) => join(dir, `${name}-${file}`);

  const devNull = characterDevice(dir, 'null', 3);
  it.skipIf(devNull === null)('writes through a null device and leaves it a character device', async () => {
    use();
    await net().save(devNull!);
    await new WordVectors(['a', 'b'], new Float32Array(4), 2).save(devNull!, { format: 'text' });
    await writeFileAtomic(devNull!, [big]);
    expect(lstatSync(devNull!).isCharacterDevice()).toBe(true);
    expect(tempsIn(dir)).toEqual([]);
    await expect(checkWritable(devNull!)).resolves.toBeUndefined();
  });

  const devFull = characterDevice(dir, 'full', 7);
  it.skipIf(devFull === null)('a full device is a FileWriteError "no space left on device", and stays a character device', async () => {
    use();
    const failure = net().save(devFull!);
    await expect(failure).rejects.toThrow(FileWriteError);
    await expect(failure).rejects.toThrow(`cannot write ${devFull}: no space left on device`);
    expect(lstatSync(devFull!).isCharacterDevice()).toBe(true);
  });

  it('a FIFO nobody reads is refused at once, and stays a FIFO', async () => {
    use();
    const path = fifo(`${name}-unread`);
    const started = performance.now();
    await expect(net().save(path)).rejects.toThrow(`cannot write ${path}: it is a FIFO that no process has open for reading (start the reader first)`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(lstatSync(path).isFIFO()).toBe(true);
    // checkWritable does not open it: closing it again would end a reader's input.
    await expect(checkWritable(path)).resolves.toBeUndefined();
  });

  it('a FIFO with a reader gets every byte, more than a pipe holds', async () => {
    use();
    const path = fifo(`${name}-read`);
    const cat = await reader(path);
    await writeFileAtomic(path, [big.subarray(0, 1000), big]);
    expect((await cat.finish()).equals(Buffer.concat([big.subarray(0, 1000), big]))).toBe(true);
    expect(lstatSync(path).isFIFO()).toBe(true);
  }, 20_000);

  it('a model saved into a FIFO is the same bytes as in a file', async () => {
    use();
    const [path, file] = [fifo(`${name}-model`), at('model.safetensors')];
    await net().save(file);
    const cat = await reader(path);
    await net().save(path);
    expect((await cat.finish()).equals(readFileSync(file))).toBe(true);
  }, 20_000);

  it('a socket is refused, and a block device as root', async () => {
    use();
    const socket = at('socket');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      for (const attempt of [net().save(socket), checkWritable(socket)]) {
        await expect(attempt).rejects.toThrow(`cannot write ${socket}: it is a socket; saves write regular files, character devices and FIFOs only`);
      }
      expect(lstatSync(socket).isSocket()).toBe(true);
    } finally {
      server.close();
    }
    if (!root) return;
    // Major 0 is no device: had the save opened it, nothing would be written.
    const block = at('block');
    expect(spawnSync('mknod', [block, 'b', '0', '0']).status).toBe(0);
    await expect(net().save(block)).rejects.toThrow(`cannot write ${block}: it is a block device;`);
    await expect(checkWritable(block)).rejects.toThrow(`cannot write ${block}: it is a block device;`);
    expect(lstatSync(block).isBlockDevice()).toBe(true);
  });

  it('a read-only file is refused, unchanged, and replaced with overwrite: true, still read-only', async () => {
    use();
    const path = at('read-only.safetensors');
    writeFileSync(path, 'keep me');
    chmodSync(path, 0o444);
    const refused = `cannot write ${path}: it is read-only (mode 0444); overwrite: true (--force on the command line) replaces it`;
    await expect(net().save(path)).rejects.toThrow(refused);
    await expect(checkWritable(path)).rejects.toThrow(refused);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    await checkWritable(path, { overwrite: true });
    await net(5).save(path, { overwrite: true });
    expect((await MLP.load(path)).params[0]).toEqual(net(5).params[0]);
    expect(modeOf(path)).toBe(0o444);
    expect(tempsIn(dir)).toEqual([]);
  });

  it('a replaced file keeps its mode, and as root its owner', async () => {
    use();
    const path = at('mode.safetensors');
    writeFileSync(path, 'old');
    chmodSync(path, 0o604);
    if (root) chownSync(path, 4321, 4322);
    await net().save(path);
    expect(modeOf(path)).toBe(0o604);
    if (root) expect([statSync(path).uid, statSync(path).gid]).toEqual([4321, 4322]);
    await net().save(path);
    expect(modeOf(path)).toBe(0o604);
  });

  it('a symbolic link is followed: the file it points to is replaced atomically, the link stays a link', async () => {
    use();
    const [here, there] = [at('links'), at('targets')];
    mkdirSync(here);
    mkdirSync(there);
    const target = join(there, 'model.safetensors');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    // A chain: link → relative link in another directory → the file.
    const hop = join(there, 'hop');
    symlinkSync('model.safetensors', hop);
    const link = join(here, 'model.safetensors');
    symlinkSync(hop, link);
    await net(7).save(link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(hop);
    expect(lstatSync(hop).isSymbolicLink()).toBe(true);
    expect((await MLP.load(target)).params[0]).toEqual(net(7).params[0]);
    expect(modeOf(target)).toBe(0o640);
    expect([...tempsIn(here), ...tempsIn(there)]).toEqual([]);
    // The file behind the link decides: read-only there is read-only here.
    chmodSync(target, 0o444);
    await expect(net().save(link)).rejects.toThrow(`cannot write ${link}: it is read-only (mode 0444)`);
  });

  it('a dangling link writes the path it names, and stays a link', async () => {
    use();
    const target = at('dangling-target.safetensors');
    const link = at('dangling');
    symlinkSync(target, link);
    await checkWritable(link);
    await net(3).save(link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await MLP.load(target)).params[0]).toEqual(net(3).params[0]);
    // Its target's directory is where the file goes: a missing one is named.
    const lost = at('lost-link');
    symlinkSync(join(dir, 'no-such-dir', 'm.safetensors'), lost);
    await expect(checkWritable(lost)).rejects.toThrow(`cannot write ${lost}: directory ${join(dir, 'no-such-dir')} does not exist`);
    await expect(net().save(lost)).rejects.toThrow(`cannot write ${lost}: directory ${join(dir, 'no-such-dir')} does not exist`);
  });

  it('every save takes overwrite and checks its options key by key', async () => {
    use();
    const path = at('options.safetensors');
    writeFileSync(path, 'old');
    chmodSync(path, 0o444);
    const figure = new Figure(10, 10, [], []);
    const vectors = new WordVectors(['a', 'b'], new Float32Array(4), 2);
    const svg = at('options.svg');
    writeFileSync(svg, 'old');
    chmodSync(svg, 0o444);
    await expect(net().save(path, { overwirte: true } as never)).rejects.toThrow(
      "MLP.save: unknown option 'overwirte' in options (expected one of: overwrite)",
    );
    await expect(net().save(path, { overwrite: 1 } as never)).rejects.toThrow('MLP.save: options.overwrite must be a boolean');
    await expect(figure.save(svg, { force: true } as never)).rejects.toThrow("Figure.save: unknown option 'force' in options");
    await expect(vectors.save(path, { overwrite: 'yes' } as never)).rejects.toThrow('saveVectors: options.overwrite must be a boolean');
    await expect(fitWithCheckpoints(net(), [[0, 1]], [[1]], { epochs: 1 }, { path, overwrite: 'yes' } as never)).rejects.toThrow(
      'fitWithCheckpoints: checkpoint.overwrite must be a boolean',
    );
    await expect(Word2Vec.train({ input: path, checkpoint: { path: at('w.ckpt'), overwrite: 0 } } as never)).rejects.toThrow(
      'Word2Vec.train: checkpoint.overwrite must be a boolean',
    );
    await figure.save(svg, { overwrite: true });
    expect(readFileSync(svg, 'utf8')).toMatch(/^<\?xml|^<svg/);
    await vectors.save(path, { format: 'text', overwrite: true });
    expect((await WordVectors.load(path, { format: 'text' })).words).toEqual(['a', 'b']);
    await fitWithCheckpoints(net(), [[0, 1]], [[1]], { epochs: 1 }, { path, overwrite: true });
    expect(modeOf(path)).toBe(0o444);
  });

  it('an empty path is refused by name', async () => {
    use();
    await expect(net().save('')).rejects.toThrow("cannot write '': the path is empty");
    await expect(checkWritable('')).rejects.toThrow("cannot write '': the path is empty");
  });
});
