/**
 * Every ```ts and ```js example of README.md and docs/ runs, as a plain
 * JavaScript module of its own (so it works in .mjs and .js files as much as
 * in .ts), against the built package (dist/, `npm run build` first) on the
 * backend this run forces, in a fresh working directory. What an example
 * names without making (data, files, the `net` of an earlier example) comes
 * from doc-example-givens.mjs, on small data: the examples keep the sizes a
 * user would write, and run in a moment on the small data.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const givens = new URL('./doc-example-givens.mjs', import.meta.url).href;
const pkg = new URL('../../dist/index.js', import.meta.url).href;

const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const examples = pages.flatMap((page) => {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => ({
    page,
    line: text.slice(0, m.index).split('\n').length + 1,
    code: m[1]!,
  }));
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs code as an ES module in a new directory; resolves with its exit status and output. */
function runExample(code: string): Promise<{ status: number | null; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'fastnn-doc-example-'));
  dirs.push(cwd);
  // The givens first: imports run in order, so its files and globals exist before the example's code.
  const source = `import ${JSON.stringify(givens)};\n${code.replaceAll("from 'fastnn'", `from ${JSON.stringify(pkg)}`)}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module'], {
      cwd,
      env: { ...process.env, FASTNN_DOC_EXAMPLES_PACKAGE: pkg },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
    child.stdin.end(source);
  });
}

describe('the examples of the README and the guide', () => {
  it('are all found', () => {
    expect(examples.length).toBeGreaterThanOrEqual(13);
    expect(new Set(examples.map((e) => e.page)).size).toBeGreaterThanOrEqual(6);
  });

  it('fail when one throws, and run with the givens and fastnn in place', async () => {
    const broken = await runExample("import { MLP } from 'fastnn';\nnew MLP({ layers: [], task: 'binary' });");
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain('MLP: config.layers must be an array of at least 2 layer widths');
    const given = await runExample("import { readFileSync } from 'node:fs';\nconsole.log(net instanceof MLP, readFileSync('corpus.txt', 'utf8').length > 0);");
    expect(given).toEqual({ status: 0, output: 'true true\n' });
  });

  for (const { page, line, code } of examples) {
    it(`${page}:${line} runs`, async () => {
      const { status, output } = await runExample(code);
      expect(output, `${page}:${line}`).not.toMatch(/Error|Warning/);
      expect(status, `${page}:${line}\n${output}`).toBe(0);
    });
  }
});
