/**
 * A generated corpus with planted relations, for the demo, tests and
 * benchmarks: countries with their capitals and languages, and gendered word
 * pairs. Each word's contexts are its type (city, country, language; male,
 * female) plus its group (which country; which pair), so vector offsets carry
 * the relations and analogies such as paris − france + italy ≈ rome and
 * king − man + woman ≈ queen come out of a few seconds of training.
 */
import { Rng } from '../rng.js';

export const COUNTRIES = [
  ['france', 'paris', 'french'],
  ['england', 'london', 'english'],
  ['germany', 'berlin', 'german'],
  ['italy', 'rome', 'italian'],
  ['spain', 'madrid', 'spanish'],
  ['portugal', 'lisbon', 'portuguese'],
  ['russia', 'moscow', 'russian'],
  ['china', 'beijing', 'chinese'],
  ['japan', 'tokyo', 'japanese'],
  ['greece', 'athens', 'greek'],
  ['poland', 'warsaw', 'polish'],
  ['sweden', 'stockholm', 'swedish'],
] as const;

export const PAIRS = [
  ['king', 'queen', 'royal'],
  ['man', 'woman', 'adult'],
  ['prince', 'princess', 'young'],
  ['father', 'mother', 'parent'],
  ['son', 'daughter', 'child'],
  ['brother', 'sister', 'sibling'],
  ['uncle', 'aunt', 'relative'],
  ['husband', 'wife', 'married'],
  ['actor', 'actress', 'stage'],
  ['waiter', 'waitress', 'restaurant'],
] as const;

const FILLER = ['the', 'a', 'of', 'and', 'very', 'often', 'we', 'know', 'that', 'it', 'was', 'there'];

/** One sentence of the planted corpus. */
export function plantedSentence(rng: Rng): string {
  const pick = <T>(a: readonly T[]): T => a[rng.below(a.length)]!;
  const filler = () => pick(FILLER);
  if (rng.uniform() < 0.6) {
    const [country, city, language] = pick(COUNTRIES);
    const group = `${country}-land`; // a word only this country's three words share
    switch (rng.below(6)) {
      case 0:
        return `${city} is the capital city of ${country} ${filler()}`;
      case 1:
        return `in ${country} people speak ${language} ${group} ${filler()}`;
      case 2:
        return `the city ${city} ${group} city capital ${filler()}`;
      case 3:
        return `the country ${country} ${group} country nation ${filler()}`;
      case 4:
        return `the language ${language} ${group} language speak ${filler()}`;
      default:
        return `${filler()} ${city} ${country} ${language} ${group} ${filler()}`;
    }
  }
  const [male, female, theme] = pick(PAIRS);
  switch (rng.below(5)) {
    case 0:
      return `he is the ${male} ${theme} male masculine ${filler()}`;
    case 1:
      return `she is the ${female} ${theme} female feminine ${filler()}`;
    case 2:
      return `the ${male} and the ${female} ${theme} ${filler()}`;
    case 3:
      return `${filler()} he ${male} ${theme} his ${filler()}`;
    default:
      return `${filler()} she ${female} ${theme} her ${filler()}`;
  }
}

/** `sentences` lines of planted text, as an async iterable (train's input), each chunk whole lines ending in a newline. */
export async function* plantedCorpus(sentences: number, seed = 1): AsyncGenerator<string> {
  const rng = new Rng(seed);
  for (let i = 0; i < sentences; i += 1000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(sentences, i + 1000); j++) lines.push(plantedSentence(rng));
    yield `${lines.join('\n')}\n`;
  }
}

/** Analogies the planted corpus supports: [a, b, c, expected] for a − b + c. */
export function plantedAnalogies(): [string, string, string, string][] {
  const out: [string, string, string, string][] = [];
  for (let i = 0; i < COUNTRIES.length; i++) {
    const [c1, cap1, lang1] = COUNTRIES[i]!;
    const [c2, cap2, lang2] = COUNTRIES[(i + 1) % COUNTRIES.length]!;
    out.push([cap1, c1, c2, cap2]); // paris − france + england ≈ london
    out.push([lang1, c1, c2, lang2]); // french − france + england ≈ english
  }
  for (let i = 0; i < PAIRS.length; i++) {
    const [m1, f1] = PAIRS[i]!;
    const [m2, f2] = PAIRS[(i + 1) % PAIRS.length]!;
    out.push([f1, m1, m2, f2]); // queen − king + man ≈ woman
  }
  return out;
}
