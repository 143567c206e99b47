/**
 * The package exports what the README and the guide (docs/) document and
 * nothing else: every value `import * from 'fastnn'` gives is named there, and the
 * published types show no internals (the backend, the symbol-keyed methods
 * checkpoints and model files use). Tests reach internals through src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fastnn from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;

/** Every .d.ts file under dist/ (built by `npm run build`, which `npm test` runs first). */
function declarationFiles(dir = join(root, 'dist')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? declarationFiles(path) : entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('the public API', () => {
  it('exports only values the README and the guide document', () => {
    // The guide's pages, not the reference docs/api/ generates from every export.
    const guide = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
    const readme = ['README.md', ...guide.map((f) => `docs/${f}`)].map((path) => readFileSync(root + path, 'utf8')).join('\n');
    const names = Object.keys(fastnn);
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name) => !readme.includes(`\`${name}`))).toEqual([]);
  });

  it('keeps the backend and the job machinery out of it', () => {
    for (const name of ['getBackend', 'Activation', 'Loss', 'Optimizer', 'HISTORY_FIELDS', 'optimizerStateCount', 'fitSegment']) {
      expect(Object.keys(fastnn)).not.toContain(name);
    }
  });

  it('publishes types with no symbol-keyed internals', () => {
    const files = declarationFiles();
    expect(files.length).toBeGreaterThan(50);
    const leaks = files.filter((file) => /\[(fitSegment|checkSettings|tiedLayers)\]|\b(fitSegment|tiedLayers)\b/.test(readFileSync(file, 'utf8')));
    expect(leaks.map((file) => file.slice(root.length))).toEqual([]);
    expect(readFileSync(join(root, 'dist', 'index.d.ts'), 'utf8')).not.toMatch(/getBackend|\bBackend\b/);
  });
});
