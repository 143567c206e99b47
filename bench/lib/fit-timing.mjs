// A fit timed as its caller waits for it: from the call until its promise
// settles (a native job's copy of its input, its first epoch and every
// shuffle included), and the longest the event loop went without turning
// meanwhile, seen by a 1 ms interval timer as a server sharing the loop
// would see it (a native fit blocks it only while it starts and ends; the
// TS trainer for as long as it runs between yields; brain.js for the whole
// fit, which is synchronous).

/** Awaits startFit() (sync or async); { seconds, longestGapMs }. */
export async function timeFit(startFit) {
  let lastTick = performance.now();
  let longestGap = 0;
  const sinceLastTick = () => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - lastTick);
    lastTick = now;
    return now;
  };
  const probe = setInterval(sinceLastTick, 1);
  const started = performance.now();
  try {
    await startFit();
  } finally {
    clearInterval(probe);
  }
  const ended = sinceLastTick();
  return { seconds: (ended - started) / 1000, longestGapMs: longestGap };
}

/** `runs` fits, each of a fresh network from makeNet(), timed by timeFit; score(net) after the first. */
export async function freshFits(runs, makeNet, fit, score = () => ({})) {
  const fits = [];
  let quality;
  for (let i = 0; i < runs; i++) {
    const net = makeNet();
    fits.push(await timeFit(() => fit(net)));
    quality ??= score(net);
  }
  return { fits, ...quality };
}
