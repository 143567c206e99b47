#!/usr/bin/env node
// Formats the C++ of native/ with clang-format: `--check` fails listing the
// files that differ from its output, `--write` rewrites them. Only
// clang-format's major version REQUIRED_MAJOR runs: another version formats
// some constructs differently, and the check must give the same answer on
// every machine (Debian 12's `clang-format` package is version 14).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 14;
const EXTENSIONS = ['.cc', '.h', '.inc'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`clang-format.mjs: cannot run ${cmd}: ${r.error.message}`);
  return r;
}

function checkVersion() {
  let r;
  try {
    r = run('clang-format', ['--version']);
  } catch {
    throw new Error(`clang-format.mjs: clang-format is not installed (Debian: apt-get install clang-format, version ${REQUIRED_MAJOR})`);
  }
  const major = Number(/version (\d+)\./.exec(r.stdout)?.[1]);
  if (major !== REQUIRED_MAJOR) {
    throw new Error(`clang-format.mjs: found ${r.stdout.trim()}; this project formats with clang-format ${REQUIRED_MAJOR} only`);
  }
}

/** The C++ files of native/ that git tracks or would add (not ignored ones such as build output). */
function sources() {
  const r = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', 'native']);
  if (r.status !== 0) throw new Error(`clang-format.mjs: git ls-files failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((f) => EXTENSIONS.some((e) => f.endsWith(e)))
    .sort();
}

function main(mode) {
  if (mode !== '--check' && mode !== '--write') throw new Error('usage: node scripts/clang-format.mjs --check | --write');
  checkVersion();
  const files = sources();
  if (files.length === 0) throw new Error('clang-format.mjs: found no C++ file under native/');
  const r = run('clang-format', mode === '--write' ? ['-i', ...files] : ['--dry-run', '--Werror', ...files]);
  if (r.status !== 0) {
    const differ = [...new Set([...r.stderr.matchAll(/^(\S+?):\d+:\d+: error/gm)].map((m) => m[1]))];
    process.stderr.write(differ.length > 0 ? `clang-format: not formatted (run npm run format):\n  ${differ.join('\n  ')}\n` : r.stderr);
    process.exit(1);
  }
  if (mode === '--check') console.log(`clang-format ${REQUIRED_MAJOR}: ${files.length} files formatted`);
}

try {
  main(process.argv[2]);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
