#!/usr/bin/env node
// npm install hook. The package ships a prebuilt addon for some platforms
// (prebuilds/<platform>-<arch>/fastnn.node, put there by `npm pack`); when it
// loads here there is nothing to do. Otherwise, or with
// FASTNN_BUILD_FROM_SOURCE=1, build the addon with node-gyp, quietly. The
// install never fails because of it: without a compiler fastnn runs on its
// pure-TypeScript backend, and we say so in one line. Nothing is downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'build', 'install.log');
const platformArch = `${process.platform}-${process.arch}`;
const prebuilt = join(root, 'prebuilds', platformArch, 'fastnn.node');
// What rebuilds the addon where this package is (src/backend/native.ts buildCommand says the same).
const retry = /[\\/]node_modules[\\/]/.test(root) ? 'npm rebuild fastnn' : 'npm run build:native';

// npm tells lifecycle scripts where its bundled node-gyp lives; fall back to PATH.
// `--jobs max` compiles the sources in parallel on every core.
const gyp = process.env.npm_config_node_gyp;
const gypArgs = ['rebuild', '--jobs', 'max'];

// The optional MPI addon (native/mpi/), for runs launched by mpirun or srun:
// built only where an MPI compiler wrapper is on the PATH, and never a
// reason to fail the install (runs outside MPI do not use it).
function buildMpiAddon() {
  if (spawnSync(process.env.MPICC || 'mpicc', ['--version'], { stdio: 'ignore' }).status !== 0) return;
  const mpiArgs = [...gypArgs, '--directory', join('native', 'mpi')];
  const [cmd, argv] = gyp ? [process.execPath, [gyp, ...mpiArgs]] : ['node-gyp', mpiArgs];
  const built = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // Beside the MPI addon's sources: a failed attempt leaves the main addon's build/ alone.
  const mpiLog = join(root, 'native', 'mpi', 'install.log');
  if (built.status === 0) {
    console.log('fastnn: MPI addon built (native/mpi/build/Release/fastnn_mpi.node): runs under mpirun can use several machines');
    return;
  }
  writeFileSync(mpiLog, `${built.stdout ?? ''}\n${built.stderr ?? ''}${built.error ? `\n${built.error.message}` : ''}`);
  console.log(`fastnn: MPI found but its addon not built; runs outside mpirun are unaffected. Log: ${mpiLog}`);
}

if (process.env.FASTNN_SKIP_NATIVE) {
  console.log('fastnn: FASTNN_SKIP_NATIVE is set, not building the native addon; the pure-TypeScript backend will be used');
  process.exit(0);
}

const fromSource = Boolean(process.env.FASTNN_BUILD_FROM_SOURCE);
if (!fromSource && existsSync(prebuilt)) {
  // Loaded in a child: a binary for another libc fails to load there, not here.
  const probe = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', prebuilt], { encoding: 'utf8' });
  if (probe.status === 0) {
    console.log(`fastnn: using the prebuilt native addon (prebuilds/${platformArch})`);
    buildMpiAddon();
    process.exit(0);
  }
  console.log(`fastnn: the prebuilt native addon does not load here (${firstLine(probe.stderr)}); building from source`);
}

const [command, args] = gyp ? [process.execPath, [gyp, ...gypArgs]] : ['node-gyp', gypArgs];
const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

if (result.status === 0) {
  // The loader tries the prebuilt binary first: a source build that was asked for replaces it.
  if (fromSource) rmSync(dirname(prebuilt), { recursive: true, force: true });
  console.log('fastnn: native addon built (build/Release/fastnn.node)');
  buildMpiAddon();
  process.exit(0);
}

const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, output);
// The first compiler error is the useful line, then a missing tool, then make's
// summary; gyp's own "ERR!" lines are a stack of consequences, the last resort.
const lines = output.split('\n');
const reason =
  [/error:/i, /not found|ENOENT/i, /error/i, /gyp ERR!/]
    .map((pattern) => lines.find((line) => pattern.test(line) && (pattern.source === 'gyp ERR!' || !/gyp ERR!/.test(line))))
    .find((line) => line !== undefined) ?? 'unknown error';
console.log(
  `fastnn: native addon not built (${reason.trim().slice(0, 160)}); the pure-TypeScript backend will be used. ` + `Log: ${log}. Retry with: ${retry}`,
);
process.exit(0);

function firstLine(text) {
  return (
    (text ?? '')
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim()
      .slice(0, 160) ?? 'no message'
  );
}
