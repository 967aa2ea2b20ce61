import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, type PriorExperiment, type SearchSpace } from '../../optimizers/index.ts';
import { ModelCache } from '../../optimizers/cache.ts';
import { TargetMemo } from '../../optimizers/target-memo.ts';
import { Encoder } from '../../optimizers/encoding.ts';
import { configKey } from '../../optimizers/space.ts';
import { GreedyPortfolio, lossMatrix } from '../../optimizers/warmstart/portfolio.ts';
import { PriorEvidence } from '../../optimizers/prior-evidence.ts';
import { projectPrior, type ProjectedPrior } from '../../optimizers/warmstart/project.ts';

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
const scenario = fc.record({ C: fc.integer({ min: 0, max: 40 }), P: fc.integer({ min: 1, max: 6 }) }).chain(({ C, P }) =>
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
        // Losses on priors weighted 0 are neither read nor kept up to date.
        const weighted = (a: Float64Array) => [...a].filter((_, p) => weights[p] !== 0);
        for (const step of steps) {
          const before = Float64Array.from(plain);
          const want = plainStep(m, P, weights, plain, open, C);
          const got = lazy.next();
          expect(got).toBe(want);
          expect(weighted(lazy.current)).toEqual(weighted(plain));
          if (want < 0) break;
          picked[want] = 1;
          if (step.undo) {
            plain.set(before);
            lazy.undo();
            expect(weighted(lazy.current)).toEqual(weighted(plain));
          }
          if (C > 0) closed[step.close] = 1;
        }
      }),
      { numRuns: 500, seed: 20261124 },
    );
  });

  it('does not read the losses of priors weighted 0', () => {
    const m = Float64Array.from([0.5, NaN, 0.2, NaN, 0.9, NaN]);
    const g = new GreedyPortfolio(m, 2, [1, 0], Float64Array.from([1, 1]), 3, () => true);
    expect(g.next()).toBe(1);
    expect(g.next()).toBe(0);
    expect(g.current[0]).toBe(0.2);
    expect(g.current[1]).toBe(1);
  });

  it('scores a candidate again only when it comes to the top', () => {
    // Candidate 0 covers prior 0, candidate 1 prior 1, candidate 2 both half-way; the rest are useless.
    const C = 200;
    const P = 2;
    const m = new Float64Array(C * P).fill(1);
    m.set([0, 1, 1, 0, 0.5, 0.5], 0);
    const weights = [0.5, 0.5];
    let reads = 0;
    const counted = new Proxy(m, {
      get: (t, k) => {
        if (typeof k !== 'string' || !/^\d+$/.test(k)) return Reflect.get(t, k);
        reads++;
        return t[Number(k)];
      },
    });
    const g = new GreedyPortfolio(counted as Float64Array, P, weights, Float64Array.from([1, 1]), C, () => true);
    const initial = reads;
    expect(g.next()).toBe(0);
    expect(g.next()).toBe(1);
    // Two full scans would read every row twice more; the lazy steps re-score only the top few.
    expect(reads - initial).toBeLessThan(40);
  });
});

describe('candidate losses', () => {
  const space: SearchSpace = [
    { name: 'x', type: 'float', low: 0, high: 1, log: false },
    { name: 'y', type: 'float', low: 0, high: 1, log: false },
  ];
  const encoder = new Encoder(space);
  const rng = new Rng(3);
  const priors: ProjectedPrior[] = Array.from({ length: 4 }, (_, k) => {
    const prior: PriorExperiment = {
      id: `p${k}`,
      direction: 'minimize',
      space,
      metaFeatures: null,
      observations: Array.from({ length: 30 }, () => {
        const config = { x: rng.uniform(), y: rng.uniform() };
        return { config, value: ((config.x as number) - k / 4) ** 2 + (config.y as number), state: 'completed' as const };
      }),
    };
    return projectPrior(encoder, prior, { maxObservations: 100 })!;
  });
  const fill = () => [0.5, 0.5];

  it("of a kept list are filled column by column as priors get weight, and equal the full matrix's", () => {
    const cache = new ModelCache();
    const P = priors.length;
    const check = (perPrior: number, weights: number[]) => {
      const evidence = new PriorEvidence(encoder, cache);
      const cands = evidence.candidates(priors, perPrior, fill);
      const got = evidence.candidateLosses(cands, priors, weights);
      const full = lossMatrix(
        encoder,
        cands.map((c) => c.config),
        priors,
      );
      expect(got.length).toBe(full.length);
      for (let i = 0; i < cands.length; i++) for (let p = 0; p < P; p++) if (weights[p] !== 0) expect(got[i * P + p]).toBe(full[i * P + p]);
      return cands.length;
    };
    const kept = () => cache.candidates.get([...cache.candidates.keys()][0]!)!;
    const C1 = check(3, [1, 0, 0.5, 0]);
    expect([...kept().filled!]).toEqual([C1, 0, C1, 0]);
    // The list grows and the weight moves to a prior never asked for: its column is filled from the start.
    const C2 = check(6, [0, 1, 0, 0]);
    expect(C2).toBeGreaterThan(C1);
    expect([...kept().filled!]).toEqual([C1, C2, C1, 0]);
    // Every prior weighted: the whole matrix, the columns filled earlier extended.
    check(6, [1, 1, 1, 1]);
    expect([...kept().filled!]).toEqual([C2, C2, C2, C2]);
  });

  it("tried configurations' lowest losses: only weighted columns are counted, a column that gains weight counts what it missed, and each equals the full minimum", () => {
    const cache = new ModelCache();
    const targetMemo = new TargetMemo();
    const P = priors.length;
    const tried = Array.from({ length: 12 }, () => {
      const config = { x: rng.uniform(), y: rng.uniform() };
      return { config, key: configKey(space, config) };
    });
    /** The minimum over `upTo` tried configurations, from the full loss matrix, no memo. */
    const fullMins = (upTo: number) => {
      const m = lossMatrix(
        encoder,
        tried.slice(0, upTo).map((t) => t.config),
        priors,
      );
      return Array.from({ length: P }, (_, p) => Math.min(1, ...Array.from({ length: upTo }, (_, i) => m[i * P + p]!)));
    };
    const entry = () => targetMemo.entry('triedLosses')!.value;
    const check = (upTo: number, weights: number[]) => {
      const got = new PriorEvidence(encoder, cache, targetMemo).triedLosses(tried.slice(0, upTo), priors, weights);
      const want = fullMins(upTo);
      for (let p = 0; p < P; p++) if (weights[p] !== 0) expect(got[p]).toBe(want[p]);
    };
    check(4, [1, 0, 0.5, 0]);
    expect([...entry().counted]).toEqual([4, 0, 4, 0]);
    // More results, and the weight moves to a prior never counted: it counts all of them, the others wait.
    check(8, [0, 1, 0, 0]);
    expect([...entry().counted]).toEqual([4, 8, 4, 0]);
    check(12, [1, 1, 1, 1]);
    expect([...entry().counted]).toEqual([12, 12, 12, 12]);
    // Without weights every column is counted; a tried configuration taken out starts the count over.
    const fewer = [tried[0]!, ...tried.slice(2, 6)];
    const got = new PriorEvidence(encoder, cache, targetMemo).triedLosses(fewer, priors);
    const m = lossMatrix(
      encoder,
      fewer.map((t) => t.config),
      priors,
    );
    for (let p = 0; p < P; p++) expect(got[p]).toBe(Math.min(1, ...fewer.map((_, i) => m[i * P + p]!)));
    expect([...entry().counted]).toEqual([5, 5, 5, 5]);
  });
});
