/**
 * How similar and analogy print an answer on stdout: a line per neighbour,
 * score then word, under a heading naming the query when the queries come
 * from stdin, so the output reads query by query; with --json, one JSON
 * document per query on a line of its own — the query's fields and its
 * `neighbours` ({ word, score }, best first) — so stdin queries give JSON lines.
 */
import type { Neighbour } from '../word2vec/vectors.js';

export interface AnswerFormat {
  json: boolean;
  /** The query's words, printed above its answer (stdin queries); none for the command line's one query. */
  heading?: string;
}

export function printAnswer(query: Record<string, string>, hits: Neighbour[], format: AnswerFormat): void {
  if (format.json) {
    console.log(JSON.stringify({ ...query, neighbours: hits }));
    return;
  }
  if (format.heading !== undefined) console.log(format.heading);
  const indent = format.heading === undefined ? '' : '  ';
  for (const { word, score } of hits) console.log(`${indent}${score.toFixed(4)}  ${word}`);
}
