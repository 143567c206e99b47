/**
 * scripts/lint-layers.mjs (`npm run lint:layers`): every rule of
 * scripts/layer-rules.mjs refuses its arrow and lets the allowed ones
 * through, cycles and stale tolerated arrows are reported, and, run on a
 * small project with the real compiler, each broken rule is printed with
 * its file and line and the run fails. A TypeScript whose --explainFiles
 * wording changed must fail here, not pass with no import seen.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { known } from '../../scripts/layer-rules.mjs';
import { checkImports, coreIncludeViolations, importsFromExplainFiles } from '../../scripts/lint-layers.mjs';

const script = fileURLToPath(new URL('../../scripts/lint-layers.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastnn-lint-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** The rules one import breaks, none tolerated. */
const broken = (from: string, to: string): string[] =>
  checkImports([{ from, to, specifier: to }], undefined, []).violations.map((v: { rule: string }) => v.rule);

describe('layer rules', () => {
  it.each([
    ['src/backend/select.ts', 'src/nn/mlp.ts', 'backend-imports-only-backend-and-its-leaves'],
    ['src/backend/js/trainer.ts', 'src/io/atomic.ts', 'backend-imports-only-backend-and-its-leaves'],
    ['src/backend/validate.ts', 'src/tensor.ts', 'backend-imports-only-backend-and-its-leaves'],
    ['src/backend/native.ts', 'src/options.ts', 'backend-imports-only-backend-and-its-leaves'],
    ['src/backend/js/index.ts', 'src/backend/native.ts', 'backend-js-never-imports-native'],
    ['src/backend/js/word2vec/trainer.ts', 'src/backend/native.ts', 'backend-js-never-imports-native'],
    ['src/nn/fit.ts', 'src/backend/js/trainer.ts', 'models-never-import-a-backend-implementation'],
    ['src/word2vec/word2vec.ts', 'src/backend/native.ts', 'models-never-import-a-backend-implementation'],
    ['src/analysis/pca.ts', 'src/nn/data.ts', 'models-import-no-other-model'],
    ['src/nn/mlp.ts', 'src/word2vec/vectors.ts', 'models-import-no-other-model'],
    ['src/word2vec/evaluate.ts', 'src/analysis/pca.ts', 'models-import-no-other-model'],
    ['src/nn/mlp.ts', 'src/cli/options.ts', 'nothing-imports-cli'],
    ['src/index.ts', 'src/cli/main.ts', 'nothing-imports-cli'],
    ['src/io/atomic.ts', 'src/cli/interrupt.ts', 'nothing-imports-cli'],
    ['src/plot/figure.ts', 'src/analysis/pca.ts', 'leaves-import-no-model'],
    ['src/io/safetensors.ts', 'src/nn/mlp.ts', 'leaves-import-no-model'],
    ['src/datasets/blobs.ts', 'src/word2vec/vectors.ts', 'leaves-import-no-model'],
    ['src/tensor.ts', 'src/nn/data.ts', 'leaves-import-no-model'],
    ['src/shared-memory.ts', 'src/nn/fit.ts', 'leaves-import-no-model'],
  ])('%s → %s breaks %s', (from, to, rule) => {
    expect(broken(from, to)).toEqual([rule]);
  });

  it.each([
    ['src/backend/select.ts', 'src/backend/native.ts'],
    ['src/backend/select.ts', 'src/backend/js/index.ts'],
    ['src/backend/js/trainer.ts', 'src/backend/backend.ts'],
    ['src/backend/native.ts', 'src/shared-memory.ts'],
    ['src/backend/js/trainer.ts', 'src/rng.ts'],
    ['src/backend/js/gemm.ts', 'src/sizes.ts'],
    ['src/nn/fit.ts', 'src/backend/select.ts'],
    ['src/nn/fit.ts', 'src/backend/errors.ts'],
    ['src/nn/mlp.ts', 'src/nn/data.ts'],
    ['src/word2vec/settings.ts', 'src/backend/validate.ts'],
    ['src/analysis/pca.ts', 'src/io/atomic.ts'],
    ['src/cli/options.ts', 'src/backend/select.ts'],
    ['src/cli/pictures.ts', 'src/analysis/pca.ts'],
    ['src/cli/map.ts', 'src/cli/options.ts'],
    ['src/cli/options.ts', 'src/nn/mlp.ts'],
    ['src/index.ts', 'src/nn/mlp.ts'],
    ['src/plot/figure.ts', 'src/io/atomic.ts'],
    ['src/io/idx.ts', 'src/tensor.ts'],
  ])('%s → %s is allowed', (from, to) => {
    expect(broken(from, to)).toEqual([]);
  });

  it('reports each ring of imports once, unless an arrow of it is tolerated', () => {
    const imports = [
      { from: 'src/io/a.ts', to: 'src/io/b.ts', specifier: './b.js' },
      { from: 'src/io/b.ts', to: 'src/io/c.ts', specifier: './c.js' },
      { from: 'src/io/c.ts', to: 'src/io/a.ts', specifier: './a.js' },
      { from: 'src/io/c.ts', to: 'src/io/d.ts', specifier: './d.js' },
      { from: 'src/plot/self.ts', to: 'src/plot/self.ts', specifier: './self.js' },
    ];
    expect(checkImports(imports, undefined, []).violations).toEqual([
      { rule: 'no-circular', from: 'src/io/a.ts', to: 'src/io/b.ts', specifier: './b.js', ring: ['src/io/a.ts', 'src/io/b.ts', 'src/io/c.ts'] },
      { rule: 'no-circular', from: 'src/plot/self.ts', to: 'src/plot/self.ts', specifier: './self.js', ring: ['src/plot/self.ts'] },
    ]);
    const tolerated = [
      { rule: 'no-circular', from: 'src/io/c.ts', to: 'src/io/a.ts', fix: '' },
      { rule: 'no-circular', from: 'src/plot/self.ts', to: 'src/plot/self.ts', fix: '' },
    ];
    expect(checkImports(imports, undefined, tolerated)).toEqual({ violations: [], stale: [] });
  });

  it('reports a tolerated arrow that is gone or no longer breaks its rule', () => {
    const tolerated = [
      { rule: 'models-import-no-other-model', from: 'src/analysis/pca.ts', to: 'src/nn/data.ts', fix: '' },
      { rule: 'models-import-no-other-model', from: 'src/analysis/mds.ts', to: 'src/nn/data.ts', fix: '' },
      { rule: 'no-circular', from: 'src/plot/svg.ts', to: 'src/plot/figure.ts', fix: '' },
    ];
    const imports = [
      { from: 'src/analysis/pca.ts', to: 'src/nn/data.ts', specifier: '../nn/data.js' },
      { from: 'src/plot/svg.ts', to: 'src/plot/figure.ts', specifier: './figure.js' },
    ];
    expect(checkImports(imports, undefined, tolerated)).toEqual({ violations: [], stale: tolerated.slice(1) });
  });
});

describe('reading tsc --explainFiles', () => {
  it('keeps the imports between files of src/, in either quote', () => {
    const output = [
      'node_modules/@types/node/fs.d.ts',
      "   Imported via 'node:fs' from file 'src/io/atomic.ts'",
      'src/sizes.ts',
      "   Matched by include pattern 'src' in 'tsconfig.json'",
      "   Imported via '../sizes.js' from file 'src/nn/mlp.ts'",
      '   Imported via "./sizes.js" from file \'src/tensor.ts\'',
      '   File is ECMAScript module because \'package.json\' has field "type" with value "module"',
      'node_modules/bindings/index.d.ts',
      "   Imported via 'bindings' from file 'src/backend/native.ts' with packageId 'bindings@1.5.0'",
      '',
    ].join('\n');
    expect(importsFromExplainFiles(output)).toEqual([
      { from: 'src/nn/mlp.ts', to: 'src/sizes.ts', specifier: '../sizes.js' },
      { from: 'src/tensor.ts', to: 'src/sizes.ts', specifier: './sizes.js' },
    ]);
  });

  it('refuses a reason it cannot read rather than miss imports', () => {
    expect(() => importsFromExplainFiles("src/sizes.ts\n   Brought in by './sizes.js' from 'src/tensor.ts'\n")).toThrow(/cannot read this line/);
  });
});

describe('native/core includes', () => {
  write({ 'native/core/gemm.h': '', 'native/core/word2vec/vocab.h': '', 'native/napi/args.h': '' });

  it('refuses Node, Node-API, libuv and V8 headers and any file outside native/core', () => {
    const text = [
      '#include <napi.h>',
      '#  include "node_api.h"',
      '#include <js_native_api_types.h>',
      '#include <uv.h>',
      '#include <uv/unix.h>',
      '#include <v8-isolate.h>',
      '#include "../napi/args.h"',
      '#include "napi/args.h"',
      '#include "missing.h"',
      '#include <vector>',
      '#include "../gemm.h"',
      '#include "vocab.h"',
      '// #include <node.h> in a comment is not an include',
    ].join('\n');
    expect(coreIncludeViolations('native/core/word2vec/vocab.cc', text, dir).map((v: { line: number; header: string }) => `${v.line} ${v.header}`)).toEqual([
      '1 napi.h',
      '2 node_api.h',
      '3 js_native_api_types.h',
      '4 uv.h',
      '5 uv/unix.h',
      '6 v8-isolate.h',
      '7 ../napi/args.h',
      '8 napi/args.h',
      '9 missing.h',
    ]);
  });
});

describe('npm run lint:layers on a project', () => {
  it('prints each broken rule with its file and line and fails', () => {
    write({
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', types: [], noEmit: true }, include: ['src'] }),
      'package.json': JSON.stringify({ type: 'module' }),
      'src/backend/native.ts': 'export const addon = 1;\n',
      'src/backend/js/index.ts': "// the TS backend\nimport { addon } from '../native.js';\nexport const js = addon;\n",
      'src/nn/data.ts': "import type { js } from '../backend/js/index.js';\nexport type Inputs = typeof js;\n",
      'src/word2vec/corpus.ts': "import type { Inputs } from '../nn/data.js';\nexport type X = Inputs;\n",
      'src/plot/a.ts': "import type { B } from './b.js';\nexport type A = B | 1;\n",
      'src/plot/b.ts': "import type { A } from './a.js';\nexport type B = A | 2;\n",
      'native/core/kernel.cc': '#include <vector>\n#include "napi.h"\n',
    });
    const run = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toContain('src/backend/js/index.ts:2: imports src/backend/native.ts, breaking backend-js-never-imports-native: see scripts/layer-rules.mjs');
    expect(lines).toContain(
      'src/nn/data.ts:1: imports src/backend/js/index.ts, breaking models-never-import-a-backend-implementation: see scripts/layer-rules.mjs',
    );
    expect(lines).toContain('src/word2vec/corpus.ts:1: imports src/nn/data.ts, breaking models-import-no-other-model: see scripts/layer-rules.mjs');
    expect(lines).toContain('src/plot/a.ts:1: imports src/plot/b.ts (ring: src/plot/a.ts, src/plot/b.ts), breaking no-circular: see scripts/layer-rules.mjs');
    expect(lines).toContain('native/core/kernel.cc:2: includes napi.h, a Node header: native/core includes no Node header (ARCHITECTURE.md)');
    // This project has none of the arrows the repository tolerates: each is reported as gone.
    expect(lines.filter((l) => l.includes('no longer breaks'))).toHaveLength(known.length);
    expect(lines).toHaveLength(5 + known.length);
  });
});
