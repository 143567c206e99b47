/**
 * scripts/never-run.mjs, run by CI after its two test runs: a test skipped
 * or todo in every run fails CI, one skipped in a single run does not, nor
 * the skipped instance of a test named after its backend whose twin ran;
 * the allow-list holds at most two entries, each with a reason and each
 * still needed; a missing report fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { neverRun, readAllowList } from '../../scripts/never-run.mjs';

const script = fileURLToPath(new URL('../../scripts/never-run.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastnn-never-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'passed' | 'failed' | 'skipped' | 'todo' | 'pending';

/** A vitest JSON report of one run: file → full test name → status. */
function report(files: Record<string, Record<string, Status>>) {
  const testResults = Object.entries(files).map(([file, tests]) => ({
    name: join(dir, file),
    assertionResults: Object.entries(tests).map(([fullName, status]) => ({ fullName, status })),
  }));
  return { numTotalTests: testResults.reduce((n, f) => n + f.assertionResults.length, 0), testResults };
}

const native = report({
  'test/a.test.ts': {
    'agreement: native == TS': 'passed',
    'runs everywhere': 'passed',
    'skipped in both': 'skipped',
    'todo in both': 'todo',
    fails: 'failed',
    'on native the TS backend refuses it': 'skipped',
    'on native a check no backend runs': 'skipped',
  },
});
const js = report({
  'test/a.test.ts': {
    'agreement: native == TS': 'skipped',
    'runs everywhere': 'passed',
    'skipped in both': 'skipped',
    'todo in both': 'todo',
    fails: 'skipped',
    'on js the TS backend refuses it': 'passed',
    'on js a check no backend runs': 'skipped',
  },
});

describe('never-run', () => {
  it('finds the tests no run executes, and only those', () => {
    expect(neverRun([native, js], dir)).toEqual([
      { file: 'test/a.test.ts', test: 'skipped in both', statuses: ['skipped', 'skipped'] },
      { file: 'test/a.test.ts', test: 'todo in both', statuses: ['todo', 'todo'] },
      { file: 'test/a.test.ts', test: 'on native a check no backend runs', statuses: ['skipped'] },
      { file: 'test/a.test.ts', test: 'on js a check no backend runs', statuses: ['skipped'] },
    ]);
  });

  it('counts a test seen in every run, skipped everywhere, even when its backend twin ran', () => {
    const both = report({ 'test/b.test.ts': { 'X on native': 'skipped', 'X on js': 'passed' } });
    const other = report({ 'test/b.test.ts': { 'X on native': 'skipped' } });
    expect(neverRun([both, other], dir)).toEqual([{ file: 'test/b.test.ts', test: 'X on native', statuses: ['skipped', 'skipped'] }]);
  });

  it('reads an allow-list of at most two entries, each with a reason', () => {
    const entry = { file: 'test/a.test.ts', test: 'skipped in both', reason: 'needs a GPU' };
    expect(readAllowList(JSON.stringify([entry]))).toEqual([entry]);
    expect(() => readAllowList(JSON.stringify([entry, entry, entry]))).toThrow(/3 entries, at most 2/);
    expect(() => readAllowList(JSON.stringify([{ ...entry, reason: ' ' }]))).toThrow(/a reason/);
    expect(() => readAllowList(JSON.stringify({ entry }))).toThrow(/an array/);
  });

  it('fails listing each never-run test, passes what is allowed, and fails on an allowed test that runs', () => {
    mkdirSync(join(dir, 'test'), { recursive: true });
    writeFileSync(join(dir, 'native.json'), JSON.stringify(native));
    writeFileSync(join(dir, 'js.json'), JSON.stringify(js));
    writeFileSync(
      join(dir, 'test/never-run-allow.json'),
      JSON.stringify([
        { file: 'test/a.test.ts', test: 'todo in both', reason: 'written before the feature' },
        { file: 'test/a.test.ts', test: 'runs everywhere', reason: 'stale' },
      ]),
    );
    const run = spawnSync(process.execPath, [script, 'native.json', 'js.json'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'never-run: test/a.test.ts > skipped in both (skipped, skipped): no CI run executes it',
      'never-run: test/a.test.ts > on native a check no backend runs (skipped): no CI run executes it',
      'never-run: test/a.test.ts > on js a check no backend runs (skipped): no CI run executes it',
      'never-run: test/a.test.ts > runs everywhere runs now (or is gone): remove it from test/never-run-allow.json',
    ]);
    expect(run.stdout).toContain('never-run: allowed: test/a.test.ts > todo in both');
    expect(run.stdout).toMatch(/never-run: 7 in native.json, 7 in js.json: 4 problem\(s\)\n$/);
  });

  it('fails when a run left no report', () => {
    writeFileSync(join(dir, 'present.json'), JSON.stringify(js));
    const run = spawnSync(process.execPath, [script, join(dir, 'present.json'), join(dir, 'missing.json')], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toContain(`no report ${join(dir, 'missing.json')}: did that test run finish?`);
    expect(run.status).toBe(2);
  });

  it('passes when every test ran in some run', () => {
    writeFileSync(join(dir, 'clean.json'), JSON.stringify(report({ 'test/c.test.ts': { one: 'passed', two: 'skipped' } })));
    writeFileSync(join(dir, 'clean2.json'), JSON.stringify(report({ 'test/c.test.ts': { one: 'skipped', two: 'passed' } })));
    writeFileSync(join(dir, 'test/never-run-allow.json'), '[]');
    const run = spawnSync(process.execPath, [script, 'clean.json', 'clean2.json'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('never-run: 2 in clean.json, 2 in clean2.json: every test runs in some CI run\n');
    expect(run.status).toBe(0);
  });
});
