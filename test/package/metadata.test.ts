/**
 * What the npm page and the tarball show a new user: the license the
 * package declares is in the tarball, the page links to the repository, and
 * every link in the README works there (the npm page has none of the files
 * the tarball leaves out, so a relative link would be a dead one), and every
 * link between the guide's pages in docs/ reaches a page and a heading.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as Record<string, unknown>;

/** The README and the guide's pages, by path from the root. */
const guide = [
  'README.md',
  ...readdirSync(root + 'docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (path: string) => readFileSync(root + path, 'utf8');
/** Pages a link may reach: the guide's, and the API reference that npm run api generates in docs/api/. */
const linkable = [...guide, ...readdirSync(root + 'docs/api').map((f) => `docs/api/${f}`)];

// A heading's anchor: lower case, punctuation dropped, spaces as dashes (GitHub's and npm's rule).
const anchorsOf = (text: string) =>
  new Set(
    [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

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

  it('names its repository, home page and issue tracker', () => {
    expect(pkg['repository']).toEqual({ type: 'git', url: 'git+https://github.com/fastnn/fastnn.git' });
    expect(pkg['homepage']).toBe('https://github.com/fastnn/fastnn#readme');
    expect(pkg['bugs']).toEqual({ url: 'https://github.com/fastnn/fastnn/issues' });
  });

  it('keeps the README a short page (at most 10 kB): the detail lives in docs/', () => {
    expect(Buffer.byteLength(readFileSync(root + 'README.md'))).toBeLessThanOrEqual(10_000);
  });

  it('has a README whose links are its own headings or absolute URLs', () => {
    const readme = readFileSync(root + 'README.md', 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(20);
    expect(targets.filter((t) => !t.startsWith('#') && !/^https:\/\//.test(t))).toEqual([]);
    const anchors = anchorsOf(readme);
    expect(targets.filter((t) => t.startsWith('#') && !anchors.has(t.slice(1)))).toEqual([]);
    // Links into the guide name a page that exists and a heading on it.
    const pages = new Map(linkable.map((path) => [path, anchorsOf(read(path))]));
    const intoDocs = targets.flatMap((t) => /^https:\/\/github\.com\/fastnn\/fastnn\/blob\/main\/(docs\/[^#]+)(?:#(.+))?$/.exec(t) ?? []);
    expect(intoDocs.length).toBeGreaterThan(10);
    const broken = targets.filter((t) => {
      const m = /^https:\/\/github\.com\/fastnn\/fastnn\/blob\/main\/(docs\/[^#]*)(?:#(.+))?$/.exec(t);
      return m && m[1] !== 'docs/' && !(pages.has(m[1]!) && (!m[2] || pages.get(m[1]!)!.has(m[2])));
    });
    expect(broken).toEqual([]);
  });

  it('has guide pages whose links reach a page and a heading', () => {
    const pages = new Map(linkable.map((path) => [path, anchorsOf(read(path))]));
    const broken = guide
      .filter((path) => path.startsWith('docs/'))
      .flatMap((path) =>
        [...read(path).matchAll(/\]\(([^)\s]+)\)/g)]
          .map((m) => m[1]!)
          .filter((t) => !/^https:\/\//.test(t))
          .filter((t) => {
            const [file, anchor] = t.split('#');
            const target = file === '' ? path : file!.startsWith('../') ? file!.slice(3) : `docs/${file}`;
            return !pages.has(target) || (anchor !== undefined && !pages.get(target)!.has(anchor));
          })
          .map((t) => `${path}: ${t}`),
      );
    expect(broken).toEqual([]);
  });
});
