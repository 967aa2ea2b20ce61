/**
 * Runs `request` while polling `${base}/health` over HTTP; returns its result and the longest wait for
 * a /health answer: how long the event loop was held while the request ran.
 */
export async function withHealthPolled<T>(base: string, request: () => Promise<T>): Promise<{ result: T; maxGapMs: number }> {
  let done = false;
  let maxGapMs = 0;
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(`${base}/health`);
      maxGapMs = Math.max(maxGapMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const result = await request().finally(() => {
    done = true;
  });
  await poll;
  return { result, maxGapMs };
}
