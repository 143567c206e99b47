#!/usr/bin/env node
/**
 * `npm run lint:layers`: checks the import rules of ARCHITECTURE.md, listed
 * in scripts/layer-rules.mjs, over every import of src/, and that
 * native/core/ includes no Node header. Prints each broken rule with the
 * file and line and exits 1.
 *
 * Why not dependency-cruiser: it reads TypeScript through the `typescript`
 * package's JavaScript API, which TypeScript 7 (the compiler in Go, our
 * devDependency) no longer has. dependency-cruiser 17 (the last for Node
 * 20) then finds no .ts module at all and passes; 18 wants TypeScript 7.1
 * and Node 22. So the imports come from the compiler itself:
 * `tsc --explainFiles --listFilesOnly` lists, for every file of the
 * program, each import that resolved to it ("Imported via './x.js' from
 * file 'src/y.ts'"), type-only and dynamic ones included, resolved exactly
 * as the build resolves them, without type-checking (under a second).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { core, forbidden, known } from './layer-rules.mjs';

/** The program's imports between files of src/, as [{ from, to, specifier }], from `tsc --explainFiles` output. */
export function importsFromExplainFiles(output) {
  const imports = [];
  let file = null;
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      file = line.trim();
      continue;
    }
    if (!file?.startsWith('src/')) continue;
    const reason = line.trim();
    const imported = /^Imported via (['"])(.*?)\1 from file '(.*?)'/.exec(reason);
    if (imported) {
      if (imported[3].startsWith('src/')) imports.push({ from: imported[3], to: file, specifier: imported[2] });
    } else if (!/^(Matched by include pattern|File is (ECMAScript|CommonJS) module|Root file specified|Part of 'files' list)/.test(reason)) {
      // A wording this parser does not know (a new TypeScript?) could hide
      // imports: refuse to judge rather than pass on half the graph.
      throw new Error(`lint:layers: cannot read this line of tsc --explainFiles (under ${file}): ${reason}`);
    }
  }
  return imports;
}

const matches = (pattern, path) => pattern === undefined || new RegExp(pattern).test(path);
const misses = (pattern, path) => pattern === undefined || !new RegExp(pattern).test(path);

/** Whether `rule` (a forbidden entry with from/to paths) forbids the import from → to. */
function forbids(rule, from, to) {
  const source = new RegExp(rule.from?.path ?? '').exec(from);
  if (!source || !misses(rule.from?.pathNot, from)) return false;
  // `$1` in a target pattern is the text the source pattern's group caught.
  const bind = (pattern) => pattern?.replace(/\$(\d)/g, (_, i) => (source[i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return matches(bind(rule.to.path), to) && misses(bind(rule.to.pathNot), to);
}

/** Strongly connected components (Tarjan) of the graph of `edges`: the sets of files that import each other in a ring. */
function rings(edges) {
  const next = new Map();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from).push(to);
  }
  const index = new Map(),
    low = new Map(),
    stack = [],
    onStack = new Set(),
    found = [];
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const ring = new Set();
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        ring.add(w);
      } while (w !== v);
      if (ring.size > 1 || (next.get(v) ?? []).includes(v)) found.push(ring);
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * The imports that break a rule, as [{ rule, from, to, specifier }] (a
 * cycle as the imports that close it, one per ring), and the `known`
 * entries that no longer break their rule.
 */
export function checkImports(imports, rules = forbidden, tolerated = known) {
  const isKnown = (rule, { from, to }) => tolerated.some((k) => k.rule === rule && k.from === from && k.to === to);
  const violations = [];
  for (const rule of rules.filter((r) => !r.to.circular)) {
    for (const imp of imports) {
      if (forbids(rule, imp.from, imp.to) && !isKnown(rule.name, imp)) violations.push({ rule: rule.name, ...imp });
    }
  }
  const circular = rules.find((r) => r.to.circular);
  if (circular) {
    const graph = imports.filter((imp) => !isKnown(circular.name, imp));
    for (const ring of rings(graph)) {
      // Report one import of the ring: the one from its first file in sorted order, for a stable message.
      const first = [...ring].sort()[0];
      const closing = graph.find((imp) => imp.from === first && ring.has(imp.to));
      violations.push({ rule: circular.name, ...closing, ring: [...ring].sort() });
    }
  }
  const allRings = rings(imports);
  const stale = tolerated.filter((k) => {
    const rule = rules.find((r) => r.name === k.rule);
    if (!rule || !imports.some((i) => i.from === k.from && i.to === k.to)) return true;
    return rule.to.circular ? !allRings.some((ring) => ring.has(k.from) && ring.has(k.to)) : !forbids(rule, k.from, k.to);
  });
  return { violations, stale };
}

/** The first line (1-based) of `text` naming `specifier` in quotes, for the report. */
function lineOf(text, specifier) {
  const at = text.split('\n').findIndex((l) => l.includes(`'${specifier}'`) || l.includes(`"${specifier}"`));
  return at + 1 || 1;
}

/** The #include lines of one native/core file that break the core rule, as [{ line, header, why }]. */
export function coreIncludeViolations(file, text, root = '.') {
  const found = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*#\s*include\s*([<"])([^>"]+)[>"]/.exec(l);
    if (!m) return;
    const header = m[2];
    if (core.nodeHeader.test(header) || core.nodeHeader.test(basename(header))) {
      found.push({ line: i + 1, header, why: 'a Node header' });
    } else if (m[1] === '"') {
      const target = resolve(root, dirname(file), header);
      const coreDir = resolve(root, core.dir);
      if (!target.startsWith(coreDir + sep) || !existsSync(target)) {
        found.push({ line: i + 1, header, why: `not a file of ${core.dir} by its path from ${file}` });
      }
    }
  });
  return found;
}

function coreFiles(root) {
  return readdirSync(join(root, core.dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /[.](cc|cpp|h|hpp|inc)$/.test(e.name))
    .map((e) =>
      relative(root, join(e.parentPath ?? e.path, e.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

function explainFiles(root) {
  // The repository's own compiler, whichever project `root` is (tests use small ones).
  const require = createRequire(import.meta.url);
  const tsPackage = require.resolve('typescript/package.json');
  const tsc = join(dirname(tsPackage), JSON.parse(readFileSync(tsPackage, 'utf8')).bin.tsc);
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--explainFiles', '--listFilesOnly'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`lint:layers: tsc --explainFiles failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

function main(root) {
  const imports = importsFromExplainFiles(explainFiles(root));
  if (imports.length === 0) throw new Error('lint:layers: tsc --explainFiles listed no import between files of src/');
  const { violations, stale } = checkImports(imports);
  const problems = [];
  for (const v of violations) {
    const line = lineOf(readFileSync(join(root, v.from), 'utf8'), v.specifier);
    const ring = v.ring ? ` (ring: ${v.ring.join(', ')})` : '';
    problems.push(`${v.from}:${line}: imports ${v.to}${ring}, breaking ${v.rule}: see scripts/layer-rules.mjs`);
  }
  for (const k of stale) {
    problems.push(`${k.from} → ${k.to} no longer breaks ${k.rule}: remove it from \`known\` in scripts/layer-rules.mjs`);
  }
  for (const file of coreFiles(root)) {
    for (const v of coreIncludeViolations(file, readFileSync(join(root, file), 'utf8'), root)) {
      problems.push(`${file}:${v.line}: includes ${v.header}, ${v.why}: native/core includes no Node header (ARCHITECTURE.md)`);
    }
  }
  // The debt stays in sight on every run.
  for (const k of known.filter((k) => !stale.includes(k))) {
    console.log(`lint:layers: tolerated for now: ${k.from} → ${k.to} (${k.rule}; fix: ${k.fix})`);
  }
  for (const p of problems) console.error(p);
  const verdict = problems.length ? `${problems.length} problem(s)` : 'the layer rules hold';
  console.log(`lint:layers: ${imports.length} imports in src/, ${coreFiles(root).length} C++ files in ${core.dir}: ${verdict}`);
  return problems.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = main(process.cwd());
  } catch (err) {
    console.error(err.message);
    process.exitCode = 2;
  }
}
