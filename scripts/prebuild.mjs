#!/usr/bin/env node
// `npm pack` (prepack): puts this platform's addon into
// prebuilds/<platform>-<arch>/fastnn.node, where the loader looks first, so
// the tarball installs without a compiler. It is the node-gyp Release build
// of the current sources (an incremental build: seconds when build/ is up to
// date). One binary serves every CPU of the architecture (kernels dispatch at
// run time) and every Node release with Node-API 8 (the addon uses nothing
// else). postpack removes the folder again, so a later source build in this
// tree is never shadowed by a stale prebuilt binary.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'fastnn.node');

// npm hands lifecycle scripts its bundled node-gyp (and its nodedir setting, through the environment).
const gyp = process.env.npm_config_node_gyp;
const step = existsSync(join(root, 'build', 'config.gypi')) ? 'build' : 'rebuild';
const [command, args] = gyp ? [process.execPath, [gyp, step, '--jobs', 'max']] : ['node-gyp', [step, '--jobs', 'max']];
const build = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error(`prebuild: node-gyp ${step} failed (exit ${build.status ?? build.signal}); the package would ship no addon`);
  process.exit(1);
}

mkdirSync(dirname(target), { recursive: true });
copyFileSync(join(root, 'build', 'Release', 'fastnn.node'), target);
// The shipped binary carries no symbol table or debug sections (about an
// eighth of the file): users cannot use them, and the dynamic symbols it
// loads by stay (test/native/symbols.test.ts checks a stripped copy).
// build/Release keeps them for the repository's own debugging.
if (process.platform === 'linux') {
  const strip = spawnSync('strip', ['--strip-unneeded', target], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (strip.status !== 0) {
    console.error(`prebuild: strip --strip-unneeded ${target} failed (exit ${strip.status ?? strip.error?.message})`);
    process.exit(1);
  }
}
const load = spawnSync(process.execPath, ['-e', 'console.log(require(process.argv[1]).version)', target], { encoding: 'utf8' });
if (load.status !== 0) {
  console.error(`prebuild: ${target} does not load: ${load.stderr}`);
  process.exit(1);
}
console.error(`prebuild: ${target.slice(root.length + 1)} (version ${load.stdout.trim()})`);
