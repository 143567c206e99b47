/**
 * What the npm page and the tarball show a new user: the license the
 * package declares is in the tarball, the page links to the repository, and
 * every link in the README works there (the npm page has none of the files
 * the tarball leaves out, so a relative link would be a dead one).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as Record<string, unknown>;

/** The files `npm pack` would put in the tarball (scripts skipped: no addon build). */
function packedFiles(): string[] {
  const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

describe('the published package', () => {
  it('ships the MIT license it declares', () => {
    expect(pkg['license']).toBe('MIT');
    expect(packedFiles()).toContain('LICENSE');
    const text = readFileSync(root + 'LICENSE', 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the fastnn authors\n/);
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('ships the model file format, which the README links', () => {
    expect(packedFiles()).toContain('docs/model-files.md');
    expect(readFileSync(root + 'README.md', 'utf8')).toContain('(https://github.com/fastnn/fastnn/blob/main/docs/model-files.md)');
  });

  it('has README examples that are plain JavaScript, for .mjs and .js files as much as .ts', () => {
    const readme = readFileSync(root + 'README.md', 'utf8');
    const blocks = [...readme.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(10);
    const invalid = blocks.filter((code) =>
      spawnSync(process.execPath, ['--check', '--input-type=module'], { input: code, encoding: 'utf8' }).status !== 0);
    expect(invalid).toEqual([]);
  });

  it('names its repository, home page and issue tracker', () => {
    expect(pkg['repository']).toEqual({ type: 'git', url: 'git+https://github.com/fastnn/fastnn.git' });
    expect(pkg['homepage']).toBe('https://github.com/fastnn/fastnn#readme');
    expect(pkg['bugs']).toEqual({ url: 'https://github.com/fastnn/fastnn/issues' });
  });

  it('has a README whose links are its own headings or absolute URLs', () => {
    const readme = readFileSync(root + 'README.md', 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(20);
    expect(targets.filter((t) => !t.startsWith('#') && !/^https:\/\//.test(t))).toEqual([]);
    // A heading's anchor: lower case, punctuation dropped, spaces as dashes (GitHub's and npm's rule).
    const anchors = new Set([...readme.matchAll(/^#+ (.+)$/gm)]
      .map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
    expect(targets.filter((t) => t.startsWith('#') && !anchors.has(t.slice(1)))).toEqual([]);
  });
});
