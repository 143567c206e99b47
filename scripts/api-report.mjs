#!/usr/bin/env node
// The public API as review sees it, from dist/index.d.ts (run `npm run build`
// first): API Extractor writes etc/fastnn.api.md, the report of every export
// and signature, and fails when an export or a member of one has no doc
// comment (ae-undocumented, api-extractor.json); API Documenter turns the
// same doc comments into the reference pages of docs/api/.
//   --write  updates both (npm run api)
//   --check  fails when either differs from what the sources give (npm run api:check)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const MODEL = join(root, 'build', 'api', 'model');
const PAGES = join(root, 'docs', 'api');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`api-report: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`api-report: ${cmd.split('/').pop()} ${args.join(' ')} failed (exit ${r.status})`);
  }
}

/** Every file under dir, by path relative to it, with its text. */
function tree(dir) {
  const files = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    files.set(path.slice(dir.length + 1), readFileSync(path, 'utf8'));
  }
  return files;
}

function pagesDiffer(expectedDir) {
  const want = tree(expectedDir);
  let have;
  try {
    have = tree(PAGES);
  } catch {
    return ['docs/api/ is missing'];
  }
  const names = [...new Set([...want.keys(), ...have.keys()])].sort();
  return names.filter((n) => want.get(n) !== have.get(n)).map((n) => `docs/api/${n}`);
}

function main(mode) {
  if (mode !== '--check' && mode !== '--write') throw new Error('usage: node scripts/api-report.mjs --check | --write');
  // Without --local, API Extractor fails when etc/fastnn.api.md is stale instead of rewriting it.
  run(bin('api-extractor'), mode === '--write' ? ['run', '--local'] : ['run']);
  const out = mode === '--write' ? PAGES : join(root, 'build', 'api', 'pages');
  rmSync(out, { recursive: true, force: true });
  run(bin('api-documenter'), ['markdown', '--input-folder', MODEL, '--output-folder', out]);
  if (mode === '--check') {
    const stale = pagesDiffer(out);
    if (stale.length > 0) {
      throw new Error(`api-report: the API reference is stale (run npm run build && npm run api):\n  ${stale.slice(0, 20).join('\n  ')}`);
    }
    console.log('api-report: etc/fastnn.api.md and docs/api/ match the doc comments of dist/index.d.ts');
  }
}

try {
  main(process.argv[2]);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
