#!/usr/bin/env node
// npm install hook: build the native addon with node-gyp, quietly. The install
// never fails because of it: without a compiler (or on a platform we do not
// build for) fastnn runs on its pure-TypeScript backend, and we say so in one line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'build', 'install.log');

if (process.env.FASTNN_SKIP_NATIVE) {
  console.log('fastnn: FASTNN_SKIP_NATIVE is set, not building the native addon; the pure-TypeScript backend will be used');
  process.exit(0);
}

// npm tells lifecycle scripts where its bundled node-gyp lives; fall back to PATH.
// `--jobs max` compiles the sources in parallel on every core.
const gyp = process.env.npm_config_node_gyp;
const gypArgs = ['rebuild', '--jobs', 'max'];
const [command, args] = gyp ? [process.execPath, [gyp, ...gypArgs]] : ['node-gyp', gypArgs];
const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

if (result.status === 0) {
  console.log('fastnn: native addon built (build/Release/fastnn.node)');
  process.exit(0);
}

const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, output);
// The first compiler error is the useful line, then a missing tool, then make's
// summary; gyp's own "ERR!" lines are a stack of consequences, the last resort.
const lines = output.split('\n');
const reason = [/error:/i, /not found|ENOENT/i, /error/i, /gyp ERR!/]
  .map((pattern) => lines.find((line) => pattern.test(line) && (pattern.source === 'gyp ERR!' || !/gyp ERR!/.test(line))))
  .find((line) => line !== undefined) ?? 'unknown error';
console.log(`fastnn: native addon not built (${reason.trim().slice(0, 160)}); the pure-TypeScript backend will be used. ` +
  `Log: ${log}. Retry with: npm run build:native`);
process.exit(0);
