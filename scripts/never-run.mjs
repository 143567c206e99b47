#!/usr/bin/env node
/**
 * `node scripts/never-run.mjs <report.json>...`: fails when a test runs in
 * none of CI's test runs.
 *
 * CI runs the suite once per backend (FASTNN_BACKEND=native, then js), each
 * writing vitest's JSON report. Each run skips the other backend's tests on
 * purpose, so a test skipped in one run is fine; a test no run executes
 * (skipped or todo everywhere) is a defect: typically a `runIf` condition no
 * forced backend makes true. Exits 1 listing each such test by file and
 * full name, but for the entries of test/never-run-allow.json (each
 * `{ file, test, reason }`; at most two, and each must still be needed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const ALLOW_FILE = 'test/never-run-allow.json';
const MAX_ALLOWED = 2;
const RAN = new Set(['passed', 'failed']);

/**
 * The same test under the other backend's name. Suites over
 * `backendsUnderTest()` name their tests after the one backend of the run
 * ("… on native"), so the native instance of a TS-only check is only ever
 * seen skipped, in the native run, while its js twin runs in the js run.
 */
const twin = (name) => name.replace(/\b(js|native)\b/g, (b) => (b === 'js' ? 'native' : 'js'));

/**
 * The tests no report shows run, as [{ file, test, statuses }]: a test seen
 * in every report and run in none, or seen in some and run in none while
 * its backend twin ran nowhere either. `reports` are parsed vitest JSON
 * reports; files are made relative to `root`.
 */
export function neverRun(reports, root) {
  const seen = new Map(); // file + '\0' + full name → { in: the reports that have it, statuses }
  reports.forEach((report, i) => {
    for (const file of report.testResults) {
      const path = relative(root, file.name).split('\\').join('/');
      for (const t of file.assertionResults) {
        const key = `${path}\0${t.fullName}`;
        if (!seen.has(key)) seen.set(key, { in: new Set(), statuses: [] });
        seen.get(key).in.add(i);
        seen.get(key).statuses.push(t.status);
      }
    }
  });
  const ran = (key) => seen.get(key)?.statuses.some((s) => RAN.has(s)) ?? false;
  const found = [];
  for (const [key, { in: inReports, statuses }] of seen) {
    const [file, test] = key.split('\0');
    if (ran(key)) continue;
    if (inReports.size === reports.length || !ran(`${file}\0${twin(test)}`)) found.push({ file, test, statuses });
  }
  return found;
}

/** The allow-list's entries, checked: at most two, each with a reason. */
export function readAllowList(text) {
  const entries = JSON.parse(text);
  if (!Array.isArray(entries)) throw new Error(`${ALLOW_FILE}: expected an array of { file, test, reason }`);
  if (entries.length > MAX_ALLOWED) throw new Error(`${ALLOW_FILE}: ${entries.length} entries, at most ${MAX_ALLOWED}: make the tests run instead`);
  for (const e of entries) {
    if (typeof e?.file !== 'string' || typeof e.test !== 'string' || typeof e.reason !== 'string' || e.reason.trim() === '') {
      throw new Error(`${ALLOW_FILE}: each entry needs a file, a test (its full name) and a reason, got ${JSON.stringify(e)}`);
    }
  }
  return entries;
}

function main(paths) {
  if (paths.length < 2) throw new Error('usage: node scripts/never-run.mjs <vitest JSON report> <another>... (one per CI test run)');
  const reports = paths.map((p) => {
    // A run that died before writing its report must not pass as "nothing skipped".
    if (!existsSync(p)) throw new Error(`never-run: no report ${p}: did that test run finish?`);
    const report = JSON.parse(readFileSync(p, 'utf8'));
    if (!(report.testResults?.length > 0)) throw new Error(`never-run: ${p} lists no test file`);
    return report;
  });
  const allowed = existsSync(ALLOW_FILE) ? readAllowList(readFileSync(ALLOW_FILE, 'utf8')) : [];
  const found = neverRun(reports, process.cwd());
  const isAllowed = (f) => allowed.some((a) => a.file === f.file && a.test === f.test);
  let problems = 0;
  for (const f of found) {
    if (isAllowed(f)) {
      console.log(`never-run: allowed: ${f.file} > ${f.test}`);
    } else {
      console.error(`never-run: ${f.file} > ${f.test} (${f.statuses.join(', ')}): no CI run executes it`);
      problems++;
    }
  }
  for (const a of allowed.filter((a) => !found.some((f) => f.file === a.file && f.test === a.test))) {
    console.error(`never-run: ${a.file} > ${a.test} runs now (or is gone): remove it from ${ALLOW_FILE}`);
    problems++;
  }
  const tests = reports.map((r, i) => `${r.numTotalTests} in ${paths[i]}`).join(', ');
  console.log(`never-run: ${tests}: ${problems ? `${problems} problem(s)` : 'every test runs in some CI run'}`);
  return problems ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err.message);
    process.exitCode = 2;
  }
}
