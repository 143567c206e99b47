/**
 * The word2vec part of the backend contract (Backend extends it): the
 * vocabulary scan and training run as long jobs (job.ts: a native thread, or
 * chunked TS on the event loop) that read the corpus file themselves; nearest
 * is a plain kernel. checked.ts checks their arguments for both
 * implementations (validate-word2vec.ts).
 */

export interface Word2VecVocabJob {
  path: string;
  minCount: number;
  /** 0 = no cap. */
  maxFinalVocab: number;
  lowercase: boolean;
  /** Counts only the tokens of rank `part` of `parts` (the bytes it trains on: its equal share, begun at the first
   * line start in it when there is one): one rank's shard. part 0 of 1 is the whole file. */
  part: number;
  parts: number;
}

export interface Word2VecVocab {
  /** Each word's bytes followed by '\n', most frequent first (ties by bytes). */
  words: Uint8Array;
  counts: Float64Array;
  /** True when the scan was stopped early. */
  cancelled: boolean;
}

export type Word2VecKernel = 'batched' | 'classic';

/** Negative sampling's rule for a saturated score (|f| ≥ 6): word2vec.c's limit gradient, or gensim's skip. */
export type Word2VecSaturated = 'limit' | 'skip';

export interface Word2VecTrainJob {
  path: string;
  /** A vocabulary as word2vecVocab returns it. */
  words: Uint8Array;
  counts: Float64Array;
  vectorSize: number;
  window: number;
  negative: number;
  nsExponent: number;
  sample: number;
  alpha: number;
  minAlpha: number;
  epochs: number;
  /** Native only; the TS trainer runs one thread whatever this says. */
  threads: number;
  seed: number;
  sg: boolean;
  hs: boolean;
  lowercase: boolean;
  /** Skip-gram with negative sampling: 'batched' shares each window's noise words across its context words and
   * updates the rows once per window; 'classic' is word2vec.c's loop. Other combinations always run classic. */
  kernel: Word2VecKernel;
  /** Negative sampling, a score f with |f| ≥ 6 (σ tabulated as 0 or 1): 'limit' applies word2vec.c's limit
   * gradient (label − 0 or 1)·lr, 'skip' makes no update (gensim). Hierarchical softmax always skips. */
  saturated: Word2VecSaturated;
  /** (V, vectorSize) input vectors, trained in place. */
  syn0: Float32Array;
  /** (V, vectorSize) negative-sampling output vectors; required when negative > 0. */
  syn1neg: Float32Array | null;
  /** (V, vectorSize) Huffman inner-node vectors; required when hs. */
  syn1: Float32Array | null;
  /** Continue from where an earlier run (same options and corpus) stopped: its result.state. null = from the start. */
  resume: Word2VecState | null;
  /** This process's share of a multi-process run (rank 0 of 1 alone): it reads part `rank` of the corpus cut into
   * `ranks` byte ranges, each begun at the first line start in it when there is one (its threads cut that part
   * again), thread t draws from Rng(seed + 1 + rank·1024 + t);
   * progress and the learning rate count its words × ranks. */
  rank: number;
  ranks: number;
}

/**
 * Where a run stands, to resume it exactly: thread t streams bytes
 * [size·t/threads, size·(t+1)/threads) of the corpus, and each thread's entry
 * is taken at a sentence boundary. It only resumes with the same thread
 * count, options and corpus (the caller checks those).
 */
export interface Word2VecState {
  /** The epoch in progress (1-based); epochs + 1 once training is complete. */
  epoch: number;
  /** In-vocabulary tokens read in the epochs before `epoch`. */
  wordsBefore: number;
  /** Per thread: the byte where its reader continues (its range's start at an epoch's start). */
  offsets: Float64Array;
  /** Per thread: tokens read, summed loss and predictions in this epoch. */
  words: Float64Array;
  loss: Float64Array;
  terms: Float64Array;
  /** Per thread: 1 when its byte range is done for this epoch. */
  finished: Uint8Array;
  /** (threads, 4): each thread's generator state. */
  rng: Uint32Array;
}

export interface Word2VecVocabProgress {
  bytesRead: number;
  bytesTotal: number;
}

/** What Word2Vec.train reports as it runs. */
export interface Word2VecProgress {
  /** Words done / (epochs · Σ counts), non-decreasing, 1 at the end. */
  progress: number;
  /** 1-based epoch in progress. */
  epoch: number;
  /** Mean −log-likelihood per prediction in the current epoch (float64 sums, reset each epoch). */
  loss: number;
  /** Training speed so far, in words per second. */
  wordsPerSec: number;
  /** Current learning rate. */
  lr: number;
  /** Estimated seconds until training ends. */
  etaSeconds: number;
  /** In-vocabulary tokens read so far (before subsampling). */
  words: number;
}

export interface Word2VecTrainResult {
  words: number;
  epochsCompleted: number;
  cancelled: boolean;
  loss: number;
  /**
   * Mean loss of each epoch this job completed, in order (the progress
   * reports cannot give these: the native job coalesces them under load).
   */
  epochLosses: number[];
  /** Where a resumed run would continue (state.epoch = epochs + 1 when complete). */
  state: Word2VecState;
}

export interface Word2VecKernels {
  /** [long job, job.ts] Counts the corpus's words; see Word2VecVocab. */
  word2vecVocab(job: Word2VecVocabJob, onProgress?: (p: Word2VecVocabProgress) => void, signal?: AbortSignal): Promise<Word2VecVocab>;
  /** [long job, job.ts] Trains job.syn0/syn1neg/syn1 in place, from the start
   * (first setting syn0 to (u − 0.5)/vectorSize with u from Rng(job.seed), in
   * order) or from job.resume;
   * an aborted run stops at sentence boundaries and resolves with the state to
   * resume from. Rejects on divergence. The TS backend runs one thread, so it
   * resumes only states of one thread. */
  word2vecTrain(job: Word2VecTrainJob, onProgress?: (p: Word2VecProgress) => void, signal?: AbortSignal): Promise<Word2VecTrainResult>;
  /** outIndex (q,k), outScore (q,k) <- the k rows of matrix (rows,cols) with
   * the highest dot product with each query (q,cols), best first (ties: lower
   * row), skipping the rows of exclude (q,e) (−1 = none); missing slots get
   * −1 and −Infinity; NaN scores are skipped. */
  nearest(
    outIndex: Int32Array,
    outScore: Float32Array,
    matrix: Float32Array,
    queries: Float32Array,
    rows: number,
    cols: number,
    q: number,
    k: number,
    exclude: Int32Array,
    e: number,
  ): void;
}
