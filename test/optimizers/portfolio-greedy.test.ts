import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GreedyPortfolio } from '../../optimizers/warmstart/portfolio.ts';

/** The plain greedy step the lazy one must equal: score every open candidate, keep the first best. */
function plainStep(matrix: Float64Array, P: number, weights: number[], current: Float64Array, open: (i: number) => boolean, C: number): number {
  let best = -1;
  let bestGain = -Infinity;
  for (let i = 0; i < C; i++) {
    if (!open(i)) continue;
    let gain = 0;
    for (let p = 0; p < P; p++) {
      const v = matrix[i * P + p]!;
      if (v < current[p]!) gain += weights[p]! * (current[p]! - v);
    }
    if (gain > bestGain) {
      bestGain = gain;
      best = i;
    }
  }
  if (best >= 0) for (let p = 0; p < P; p++) current[p] = Math.min(current[p]!, matrix[best * P + p]!);
  return best;
}

// Losses from a few levels, so that equal gains (ties) are common.
const level = fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75, 1, 0.1, 0.3);
const scenario = fc
  .record({ C: fc.integer({ min: 0, max: 40 }), P: fc.integer({ min: 1, max: 6 }) })
  .chain(({ C, P }) =>
    fc.record({
      C: fc.constant(C),
      P: fc.constant(P),
      matrix: fc.array(level, { minLength: C * P, maxLength: C * P }),
      weights: fc.array(fc.constantFrom(0, 0.25, 1 / 3, 0.5, 1), { minLength: P, maxLength: P }),
      start: fc.array(fc.constantFrom(1, 0.8, 0.3), { minLength: P, maxLength: P }),
      closedAtStart: fc.array(fc.boolean(), { minLength: C, maxLength: C }),
      // Per step: undo the addition (a proposal that could not be used), and a candidate closed meanwhile.
      steps: fc.array(fc.record({ undo: fc.boolean(), close: fc.integer({ min: 0, max: Math.max(C - 1, 0) }) }), { maxLength: 60 }),
    }),
  );

describe('greedy portfolio', () => {
  it('the lazy greedy picks exactly what a full scan picks, step after step, with ties, closed candidates and undone steps', () => {
    fc.assert(
      fc.property(scenario, ({ C, P, matrix, weights, start, closedAtStart, steps }) => {
        const m = Float64Array.from(matrix);
        const closed = Uint8Array.from(closedAtStart.map(Number));
        const picked = new Uint8Array(C);
        const open = (i: number) => !closed[i] && !picked[i];
        const lazy = new GreedyPortfolio(m, P, weights, Float64Array.from(start), C, open);
        const plain = Float64Array.from(start);
        for (const step of steps) {
          const before = Float64Array.from(plain);
          const want = plainStep(m, P, weights, plain, open, C);
          const got = lazy.next(open);
          expect(got).toBe(want);
          expect([...lazy.current]).toEqual([...plain]);
          if (want < 0) break;
          picked[want] = 1;
          if (step.undo) {
            plain.set(before);
            lazy.undo();
            expect([...lazy.current]).toEqual([...plain]);
          }
          if (C > 0) closed[step.close] = 1;
        }
      }),
      { numRuns: 500, seed: 20261124 },
    );
  });

  it('scores a candidate again only when it comes to the top', () => {
    // Candidate 0 covers prior 0, candidate 1 prior 1, candidate 2 both half-way; the rest are useless.
    const C = 200;
    const P = 2;
    const m = new Float64Array(C * P).fill(1);
    m.set([0, 1, 1, 0, 0.5, 0.5], 0);
    const weights = [0.5, 0.5];
    let reads = 0;
    const counted = new Proxy(m, { get: (t, k) => (typeof k === 'string' && /^\d+$/.test(k) ? (reads++, t[Number(k)]) : Reflect.get(t, k)) });
    const g = new GreedyPortfolio(counted as Float64Array, P, weights, Float64Array.from([1, 1]), C, () => true);
    const initial = reads;
    expect(g.next(() => true)).toBe(0);
    expect(g.next(() => true)).toBe(1);
    // Two full scans would read every row twice more; the lazy steps re-score only the top few.
    expect(reads - initial).toBeLessThan(40);
  });
});
