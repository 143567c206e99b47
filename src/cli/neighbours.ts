/**
 * How similar and analogy print an answer on stdout: a line per neighbour,
 * score then word; under a heading naming the query when the queries come
 * from stdin, so the output reads (and parses) query by query.
 */
import type { Neighbour } from '../word2vec/vectors.js';

export function printNeighbours(hits: Neighbour[], heading?: string): void {
  if (heading !== undefined) console.log(heading);
  const indent = heading === undefined ? '' : '  ';
  for (const { word, score } of hits) console.log(`${indent}${score.toFixed(4)}  ${word}`);
}
