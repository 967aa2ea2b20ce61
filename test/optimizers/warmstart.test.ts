import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configKey,
  metaFeatureSimilarities,
  rankingAgreement,
  Rng,
  suggest,
  type Config,
  type Observation,
  type PriorExperiment,
  type SearchSpace,
  type SuggestOptions,
} from '../../optimizers/index.ts';
import { ModelCache, type ConfigMemo } from '../../optimizers/cache.ts';
import { TargetMemo } from '../../optimizers/target-memo.ts';
import { MAX_SIMILARITY_RESULTS } from '../../optimizers/warmstart/relevance.ts';
import { rgpeWeights } from '../../optimizers/warmstart/rgpe.ts';
import { pairwiseAgreement } from '../../optimizers/warmstart/similarity.ts';
import { appendedConcordance, concordanceCounts, type ConcordanceState } from '../../optimizers/concordance.ts';

describe('similarity helpers', () => {
  it('meta-feature similarity normalises each feature over priors + target', () => {
    const sims = metaFeatureSimilarities({ a: 0, b: 1000 }, [
      { id: 'near', metaFeatures: { a: 0.1, b: 1000 } },
      { id: 'far', metaFeatures: { a: 1, b: 0 } },
      { id: 'none', metaFeatures: null },
      { id: 'other-keys', metaFeatures: { c: 1 } },
    ]);
    expect(sims.get('near')!.similarity).toBeCloseTo(1 - 0.05, 12); // (0.1/1 + 0/1000)/2
    expect(sims.get('far')!.similarity).toBeCloseTo(0, 12);
    expect(sims.has('none')).toBe(false);
    expect(sims.has('other-keys')).toBe(false);
  });

  it('ranking agreement: 1 for same order, 0 reversed, ½ for ties, NaN without pairs', () => {
    expect(rankingAgreement([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(rankingAgreement([3, 2, 1], [10, 20, 30])).toBe(0);
    expect(rankingAgreement([1, 1, 1], [10, 20, 30])).toBe(0.5);
    expect(rankingAgreement([1, 2], [5, 5])).toBeNaN();
  });

  it('ranking agreement counted in O(n log n) equals the pair-by-pair definition exactly, ties included', () => {
    // Few distinct values make ties in y, in pred and in both; NaN and ±Infinity take the pairwise path.
    const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(NaN, Infinity, -Infinity, -0));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 60 }), (pairs) => {
        const pred = pairs.map((p) => p[0]);
        const y = pairs.map((p) => p[1]);
        expect(Object.is(rankingAgreement(pred, y), pairwiseAgreement(pred, y))).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
    const n = 3000;
    const rng = new Rng(3);
    const y = Array.from({ length: n }, () => Math.round(rng.normal() * 20));
    const pred = y.map((v) => Math.round(v + 10 * rng.normal()));
    expect(rankingAgreement(pred, y)).toBe(pairwiseAgreement(pred, y));
  });

  it('ranking agreements counted on from the points of an earlier call equal a fresh count exactly, whatever comes and goes', () => {
    // A point is an id with its y and P predictions; ids repeat (a configuration tried twice), points
    // arrive in any order, and one may disappear (an invalidated result), which forces a recount.
    const P = 3;
    const num = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.double({ min: -5, max: 5, noNaN: true }));
    const point = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), y: num, pred: fc.array(num, { minLength: P, maxLength: P }) });
    const step = fc.record({ add: fc.array(point, { maxLength: 6 }), drop: fc.boolean(), shuffle: fc.nat(), nan: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let points: { id: string; y: number; pred: number[] }[] = [];
        let state: ConcordanceState | undefined;
        for (const st of steps) {
          points = [...points, ...st.add];
          if (st.drop && points.length > 0) points.splice(st.shuffle % points.length, 1);
          // The same points in another order are the same set.
          if (points.length > 1) points = [...points.slice(st.shuffle % points.length), ...points.slice(0, st.shuffle % points.length)];
          // Now and then a prediction that is not finite: answered pairwise, nothing remembered.
          const nan = st.nan === 0 && points.length > 0;
          const y = Float64Array.from(points, (q) => q.y);
          const preds = Float64Array.from(points.flatMap((q, i) => (nan && i === 0 ? [NaN, ...q.pred.slice(1)] : q.pred)));
          const ids = points.map((q, i) => (nan && i === 0 ? `${q.id}-nan` : `${q.id}:${q.y}:${q.pred.join(',')}`));
          const got = concordanceCounts(ids, y, preds, P, state);
          for (let p = 0; p < P; p++) {
            const column = Array.from({ length: points.length }, (_, i) => preds[i * P + p]!);
            expect(Object.is(got.agreements[p], pairwiseAgreement(column, Array.from(y)))).toBe(true);
          }
          if (nan) expect(got.state).toBeUndefined();
          state = got.state;
        }
      }),
      { numRuns: 1500, seed: 11 },
    );
  });

  it('ranking agreements counted on visit only the new points: a long run of small additions stays exact', () => {
    const P = 4;
    const rng = new Rng(5);
    const ys: number[] = [];
    const preds: number[] = [];
    const ids: string[] = [];
    let state: ConcordanceState | undefined;
    for (let k = 0; k < 400; k++) {
      const y = Math.round(rng.normal() * 30);
      ys.push(y);
      for (let p = 0; p < P; p++) preds.push(p === 3 ? 0 : Math.round(y + (p + 1) * 10 * rng.normal()));
      ids.push(String(k));
      const got = concordanceCounts(ids, Float64Array.from(ys), Float64Array.from(preds), P, state);
      state = got.state;
      if (k % 50 === 49) {
        for (let p = 0; p < P; p++)
          expect(got.agreements[p]).toBe(
            rankingAgreement(
              ys.map((_, i) => preds[i * P + p]!),
              ys,
            ),
          );
      }
    }
    // The state counted every point once, in the order they came.
    expect(state!.y).toEqual(ys);
    expect(state!.points.size).toBe(400);
  });

  it('points appended to the counted ones, given alone, count exactly like a full count, and the state goes on as if counted in full', () => {
    const P = 2;
    const num = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.double({ min: -5, max: 5, noNaN: true }));
    const point = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), y: num, pred: fc.array(num, { minLength: P, maxLength: P }) });
    fc.assert(
      fc.property(fc.array(fc.array(point, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 6 }), (chunks) => {
        const all: { id: string; y: number; pred: number[] }[] = [];
        let state: ConcordanceState | undefined;
        for (const chunk of chunks) {
          const y = Float64Array.from(chunk, (q) => q.y);
          const preds = Float64Array.from(chunk.flatMap((q) => q.pred));
          const ids = chunk.map((q) => q.id);
          const on = state ? appendedConcordance(ids, y, preds, P, state) : undefined;
          all.push(...chunk);
          const full = concordanceCounts(
            all.map((q) => q.id),
            Float64Array.from(all, (q) => q.y),
            Float64Array.from(all.flatMap((q) => q.pred)),
            P,
            undefined,
          );
          if (on) {
            expect([...on.agreements].map(String)).toEqual([...full.agreements].map(String));
            expect(on.state.pairs).toBe(full.state!.pairs);
            expect([...on.state.agree2]).toEqual([...full.state!.agree2]);
            expect(on.state.points).toEqual(full.state!.points);
            state = on.state;
          } else state = full.state;
        }
      }),
      { numRuns: 800, seed: 12 },
    );
    // Not finite: nothing counted on.
    const start = concordanceCounts(['a', 'b'], Float64Array.from([1, 2]), Float64Array.from([1, 1, 2, 2]), 2, undefined).state!;
    expect(appendedConcordance(['c'], Float64Array.from([3]), Float64Array.from([NaN, 1]), 2, start)).toBeUndefined();
  });
});

describe('RGPE weights', () => {
  const rng = new Rng(1);
  const n = 25;
  const y = Array.from({ length: n }, () => rng.normal());
  const good = y.map((v) => v + 0.1 * rng.normal());
  const reversed = y.map((v) => -v);
  const random = y.map(() => rng.normal());
  const targetLoo = y.map((v) => v + 0.8 * rng.normal());

  it('give the prior that ranks the target best most of the weight and cut the ones that do not predict it', () => {
    const res = rgpeWeights({ priorPredictions: [good, reversed, random], targetLoo, y, samples: 200, rng: new Rng(2) });
    expect(res.weights).toHaveLength(4);
    expect(res.weights.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(res.weights[0]!).toBeGreaterThan(0.6);
    expect(res.weights[1]).toBe(0);
    expect(res.weights[2]).toBe(0);
    expect(res.discarded).toEqual([false, true, true]);
  });

  it('score each model on the resamples the same whatever the other models are (models are summed four at a time)', () => {
    const noisy = (s: number) => y.map((v) => v + s * rng.normal());
    const priors = [good, reversed, random, noisy(0.5), noisy(1), noisy(2), y.map((v) => Math.round(v))];
    const all = rgpeWeights({ priorPredictions: priors, targetLoo, y, samples: 64, rng: new Rng(4), minAgreementZ: 0 });
    priors.forEach((p, m) => {
      const alone = rgpeWeights({ priorPredictions: [p], targetLoo, y, samples: 64, rng: new Rng(4), minAgreementZ: 0 });
      expect(Object.is(all.medianLoss[m], alone.medianLoss[0]), `prior ${m}`).toBe(true);
      expect(Object.is(all.medianLoss[priors.length], alone.medianLoss[1]), 'target').toBe(true);
    });
  });

  it('shift all weight to the target model when no prior is informative', () => {
    const res = rgpeWeights({ priorPredictions: [reversed, random], targetLoo, y, samples: 100, rng: new Rng(3) });
    expect(res.weights[2]).toBe(1);
  });
});

const space: SearchSpace = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'y', type: 'float', low: 0, high: 1, log: false },
];

function priorWithOptimum(id: string, ox: number, oy: number, seed: number, extra: Partial<PriorExperiment> = {}): PriorExperiment {
  const rng = new Rng(seed);
  const observations: Observation[] = Array.from({ length: 40 }, (_, i) => {
    const config = { x: rng.uniform(), y: rng.uniform() };
    return { id: `${id}-${i}`, config, value: (config.x - ox) ** 2 + (config.y - oy) ** 2, state: 'completed' as const };
  });
  return { id, direction: 'minimize', space, observations, ...extra };
}

describe('warm-start initial design', () => {
  const groupA = [0, 1, 2].map((k) => priorWithOptimum(`A${k}`, 0.2, 0.2, 10 + k));
  const groupB = [0, 1, 2].map((k) => priorWithOptimum(`B${k}`, 0.8, 0.8, 20 + k));
  const priors = [...groupA, ...groupB];

  it('starts from prior optima and records the source trial', () => {
    const s = suggest({ space, direction: 'minimize', observations: [], count: 2, seed: 1, priors });
    for (const x of s) {
      expect(x.provenance.strategy).toBe('portfolio');
      const src = x.provenance.sourceTrials[0]!;
      const prior = priors.find((p) => p.id === src.experimentId)!;
      const trial = prior.observations.find((o) => o.id === src.trialId)!;
      expect(configKey(space, x.config)).toBe(configKey(space, trial.config));
    }
    // a portfolio covers both groups rather than two near-identical configs
    const ids = s.map((x) => x.provenance.sourceTrials[0]!.experimentId[0]);
    expect(new Set(ids)).toEqual(new Set(['A', 'B']));
  });

  it('remembered portfolio losses and prior means give exactly what cold calls give, step after step, and not across target spaces', () => {
    const cache = new ModelCache();
    const targetMemo = new TargetMemo();
    const target = (c: Config) => ((c.x as number) - 0.75) ** 2 + ((c.y as number) - 0.8) ** 2;
    const obs: Observation[] = [];
    for (let step = 0; step < 8; step++) {
      const req = { space, direction: 'minimize' as const, observations: [...obs], count: 2, seed: step, priors, settings: { nInitial: 100 } };
      const warm = suggest(req, { cache, targetMemo });
      expect(warm).toEqual(suggest(structuredClone(req)));
      expect(warm[0]!.provenance.strategy).toBe('portfolio');
      // A caller may change what it was given: the kept candidates must not change with it.
      for (const x of warm) x.config.x = -1;
      expect(suggest(req, { cache })).toEqual(suggest(structuredClone(req)));
      for (const x of suggest(req, { cache })) obs.push({ config: x.config, value: target(x.config), state: 'completed' });
    }
    // Results taken out (invalidated, say): the lowest losses over what was tried start over.
    const fewerResults = { space, direction: 'minimize' as const, observations: obs.slice(-2), count: 2, seed: 8, priors, settings: { nInitial: 100 } };
    expect(suggest(fewerResults, { cache, targetMemo })).toEqual(suggest(structuredClone(fewerResults)));
    expect(targetMemo.entry('triedLosses')).toBeDefined();
    const keys = (memos: { keys(): string[] }, prefix: string) => memos.keys().filter((k) => k.startsWith(prefix));
    const memos = keys(cache.values, 'losses:');
    expect(memos.length).toBe(priors.length);
    // Prior means at the target's results (how well each prior ranks them) are remembered too.
    expect(keys(cache.values, 'means:').length).toBe(priors.length);
    // So are the candidates and the mean rows of this ordered set of priors (one entry each); the
    // candidates keep their losses, and the tried configurations' are counted per prior (triedLosses).
    expect(cache.candidates.size).toBe(1);
    expect(keys(cache.rows, 'mean-rows:').length).toBe(1);
    // The priors' agreement with the target's results is counted on in the target's own memo.
    expect(targetMemo.entry('concordance')).toBeDefined();
    // Another set of priors (a prior's data changed, say) replaces the count: one per target.
    const before = targetMemo.entry('concordance')!.key;
    const fewer = { space, direction: 'minimize' as const, observations: obs, count: 2, seed: 8, priors: priors.slice(1), settings: { nInitial: 100 } };
    expect(suggest(fewer, { cache, targetMemo })).toEqual(suggest(structuredClone(fewer)));
    expect(targetMemo.entry('concordance')!.key).not.toBe(before);
    // Another target space (same parameters, wider bounds) encodes points differently: fresh memos.
    const wide: SearchSpace = space.map((p) => ({ ...p, high: 2 }));
    const req = {
      space: wide,
      direction: 'minimize' as const,
      observations: obs,
      count: 2,
      seed: 9,
      priors: priors.map((p) => ({ ...p, space: wide })),
      settings: { nInitial: 100 },
    };
    expect(suggest(req, { cache })).toEqual(suggest(structuredClone(req)));
    // Its own loss memos, one per prior that carries weight there (the greedy reads no other column).
    const added = keys(cache.values, 'losses:').length - priors.length;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(priors.length);
  });

  it('remembered decodings of what the target tried (config memo) give exactly what cold calls give, clamped configurations included', () => {
    const configMemo: ConfigMemo = new WeakMap();
    const cache = new ModelCache();
    // One result taken from a prior as it is (its loss is the prior's own value), one outside the
    // bounds (its encoding is clamped, so the portfolio compares the clamped configuration).
    const copied = priors[0]!.observations[3]!.config;
    const outside = { x: 1.5, y: 0.25 };
    const obs: Observation[] = [
      { config: copied, value: 0.4, state: 'completed' },
      { config: outside, value: 0.9, state: 'completed' },
      { config: { x: 0.5, y: 0.5 }, value: null, state: 'pending' },
    ];
    for (let step = 0; step < 6; step++) {
      const req = { space, direction: 'minimize' as const, observations: [...obs], count: 2, seed: 40 + step, priors, settings: { nInitial: 100 } };
      const warm = suggest(req, { cache, configMemo, targetMemo: new TargetMemo() });
      expect(warm).toEqual(suggest(structuredClone(req)));
      expect(warm[0]!.provenance.strategy).toBe('portfolio');
      obs.push(
        { config: warm[0]!.config, value: step / 10, state: 'completed' },
        { config: warm[1]!.config, value: null, state: step % 2 ? 'failed' : 'pending' },
      );
    }
    const entry = (c: object) => [...configMemo.get(c)!.bySpace.values()][0]!;
    for (const o of obs.slice(0, -2)) expect(entry(o.config).decoded).toBeDefined();
    expect(entry(outside).decoded!.key).not.toBe(entry(outside).key);
    expect(entry(outside).decoded!.config).toEqual({ x: 1, y: 0.25 });
  });

  it('portfolio candidates that take values from the request seed (parameters a prior lacks) are not kept', () => {
    const cache = new ModelCache();
    const wide: SearchSpace = [...space, { name: 'z', type: 'categorical', choices: ['a', 'b', 'c'] }];
    const obs: Observation[] = [];
    const zs = new Set<unknown>();
    for (let step = 0; step < 6; step++) {
      const req = { space: wide, direction: 'minimize' as const, observations: [...obs], count: 2, seed: 100 + step, priors, settings: { nInitial: 100 } };
      const warm = suggest(req, { cache, targetMemo: new TargetMemo() });
      expect(warm).toEqual(suggest(structuredClone(req)));
      for (const x of warm) {
        zs.add(x.config.z);
        obs.push({ config: x.config, value: (x.config.x as number) + (x.config.y as number), state: 'completed' });
      }
    }
    // z comes from each request's seeded fill, so the list would differ from request to request.
    expect(zs.size).toBeGreaterThan(1);
    const kept = [...cache.candidates.keys()].map((k) => cache.candidates.get(k));
    expect(kept).toEqual([expect.objectContaining({ needsFill: true, list: [] })]);
  });

  it('remembered prior objects (validated and projected once) give exactly what cold calls give, and a new object is checked again', () => {
    const memo = new WeakMap();
    const cache = new ModelCache();
    const target = (c: Config) => ((c.x as number) - 0.3) ** 2 + ((c.y as number) - 0.25) ** 2;
    const obs: Observation[] = [];
    const strategies = new Set<string>();
    for (let step = 0; step < 14; step++) {
      // Past the initial design too (nInitial 6): transfer-BO uses the remembered projections.
      const req = { space, direction: 'minimize' as const, observations: [...obs], count: 1, seed: step, priors, settings: { nInitial: 6 } };
      const warm = suggest(req, { cache, priorMemo: memo });
      expect(warm).toEqual(suggest(structuredClone(req)));
      for (const x of warm) obs.push({ config: x.config, value: target(x.config), state: 'completed' });
      strategies.add(warm[0]!.provenance.strategy);
    }
    expect([...strategies]).toEqual(['portfolio', 'transfer-bo']);
    expect(priors.every((p) => memo.has(p))).toBe(true);
    // Another target space projects the same remembered priors afresh.
    const wide: SearchSpace = space.map((p) => ({ ...p, high: 2 }));
    const req = { space: wide, direction: 'minimize' as const, observations: obs, count: 2, seed: 9, priors, settings: { nInitial: 100 } };
    expect(suggest(req, { cache, priorMemo: memo })).toEqual(suggest(structuredClone(req)));
    // A prior the memo has not seen is validated, and the error names it by its place in the request.
    const broken = { ...priors[0]!, observations: [{ config: { x: 0.5, y: 0.5 }, value: 'bad', state: 'completed' }] } as unknown as PriorExperiment;
    expect(() => suggest({ space, direction: 'minimize', observations: [], count: 1, seed: 1, priors: [...priors, broken] }, { priorMemo: memo })).toThrow(
      /priors.*6.*observations/s,
    );
  });

  it(`measures performance similarity on the first ${MAX_SIMILARITY_RESULTS} results only: later ones do not move it, counted on or cold`, () => {
    // The first results rank like group A's priors; the later ones rank the other way round.
    const rng = new Rng(5);
    const nearA = (c: Config) => ((c.x as number) - 0.2) ** 2 + ((c.y as number) - 0.2) ** 2;
    const obs: Observation[] = Array.from({ length: MAX_SIMILARITY_RESULTS + 100 }, (_, i) => {
      const config = { x: rng.uniform(), y: rng.uniform() };
      return { config, value: i < MAX_SIMILARITY_RESULTS ? nearA(config) : -nearA(config), state: 'completed' };
    });
    const similarities = (n: number, options?: SuggestOptions) => {
      const [s] = suggest({ space, direction: 'minimize', observations: obs.slice(0, n), count: 1, seed: 1, priors, settings: { nInitial: 100_000 } }, options);
      return new Map(s!.provenance.priors.map((p) => [p.experimentId, p.similarity]));
    };
    const full = similarities(MAX_SIMILARITY_RESULTS);
    expect(full.size).toBeGreaterThan(0);
    expect([...full.keys()].every((id) => id.startsWith('A'))).toBe(true);
    expect(similarities(obs.length)).toEqual(full);
    const cache = new ModelCache();
    const targetMemo = new TargetMemo();
    for (const n of [MAX_SIMILARITY_RESULTS - 20, MAX_SIMILARITY_RESULTS + 3, obs.length]) {
      expect(similarities(n, { cache, targetMemo })).toEqual(similarities(n));
    }
    expect(similarities(obs.length, { cache, targetMemo })).toEqual(full);
  });

  it("keeps the priors' agreements with the results they were measured on, and measures again when those results change", () => {
    const rng = new Rng(6);
    const nearA = (c: Config) => ((c.x as number) - 0.2) ** 2 + ((c.y as number) - 0.2) ** 2;
    const obs: Observation[] = Array.from({ length: 30 }, () => {
      const config = { x: rng.uniform(), y: rng.uniform() };
      return { config, value: nearA(config), state: 'completed' };
    });
    const similarities = (o: Observation[], options?: SuggestOptions) => {
      const [s] = suggest({ space, direction: 'minimize', observations: o, count: 1, seed: 1, priors, settings: { nInitial: 1000 } }, options);
      return s!.provenance.priors.map((p) => [p.experimentId, p.similarity]);
    };
    const cache = new ModelCache();
    const targetMemo = new TargetMemo();
    const kept = () => targetMemo.entry('agreements')?.value;
    expect(similarities(obs, { cache, targetMemo })).toEqual(similarities(obs));
    const first = kept();
    expect(first).toBeDefined();
    expect(similarities(obs, { cache, targetMemo })).toEqual(similarities(obs));
    expect(kept()).toBe(first);
    // The same configurations with other values (ranking the other way round), and a result
    // inserted among them (a trial with a lower number finished late): measured again.
    const reversed = obs.map((o) => ({ ...o, value: -o.value! }));
    const inserted = [...obs.slice(0, 5), { config: { x: 0.9, y: 0.1 }, value: 0.05, state: 'completed' as const }, ...obs.slice(5)];
    for (const changed of [reversed, inserted]) {
      expect(similarities(changed)).not.toEqual(similarities(obs));
      expect(similarities(changed, { cache, targetMemo })).toEqual(similarities(changed));
      expect(kept()).toBeDefined();
    }
    expect(kept()).not.toBe(first);
  });

  it('adapts to the priors that predict the target once results arrive', () => {
    const target = (c: Config) => ((c.x as number) - 0.75) ** 2 + ((c.y as number) - 0.8) ** 2;
    const obs: Observation[] = [
      { x: 0.1, y: 0.1 },
      { x: 0.5, y: 0.5 },
      { x: 0.9, y: 0.7 },
      { x: 0.3, y: 0.9 },
    ].map((config) => ({ config, value: target(config), state: 'completed' }));
    const s = suggest({ space, direction: 'minimize', observations: obs, count: 3, seed: 1, priors, settings: { nInitial: 10 } });
    for (const x of s) {
      expect(x.provenance.strategy).toBe('portfolio');
      expect(x.provenance.sourceTrials[0]!.experimentId.startsWith('B')).toBe(true);
      expect(x.provenance.priors.every((p) => p.experimentId.startsWith('B'))).toBe(true);
    }
  });

  it('with meta-features, nearest-best takes the best config of the most similar prior first', () => {
    const withMf = [priorWithOptimum('far', 0.2, 0.2, 1, { metaFeatures: { n: 10 } }), priorWithOptimum('near', 0.8, 0.8, 2, { metaFeatures: { n: 100 } })];
    const [s] = suggest({
      space,
      direction: 'minimize',
      observations: [],
      count: 1,
      seed: 1,
      priors: withMf,
      metaFeatures: { n: 95 },
      settings: { warmInit: 'nearest-best' },
    });
    expect(s!.provenance.strategy).toBe('warm-start');
    expect(s!.provenance.sourceTrials[0]!.experimentId).toBe('near');
    expect(s!.provenance.priors[0]!.similarity).toBeGreaterThan(0.9);
  });

  it('priors from partly overlapping spaces contribute on the shared parameters (and directions are honoured)', () => {
    const wide: SearchSpace = [...space, { name: 'z', type: 'categorical', choices: ['a', 'b'] }];
    const rng = new Rng(4);
    // only x is shared with the target's space; the prior maximises, its best x is 0.9
    const prior: PriorExperiment = {
      id: 'partial',
      direction: 'maximize',
      space: [
        { name: 'x', type: 'float', low: 0, high: 2, log: false },
        { name: 'w', type: 'int', low: 1, high: 5, log: false },
      ],
      observations: Array.from({ length: 30 }, (_, i) => {
        const config = { x: rng.uniform(), w: 1 + (i % 5) };
        return { id: `p${i}`, config, value: -((config.x - 0.9) ** 2), state: 'completed' as const };
      }),
    };
    const [s] = suggest({ space: wide, direction: 'minimize', observations: [], count: 1, seed: 2, priors: [prior] });
    const best = prior.observations.reduce((a, b) => ((a.value as number) > (b.value as number) ? a : b));
    expect(s!.config.x).toBeCloseTo(best.config.x as number, 9);
    expect(s!.provenance.notes.join(' ')).not.toMatch(/ignored/);
  });

  it('transfer-BO reports RGPE weights and down-weights a misleading prior', () => {
    const target = (c: Config) => ((c.x as number) - 0.8) ** 2 + ((c.y as number) - 0.8) ** 2;
    const misleading = priorWithOptimum('mis', 0.1, 0.9, 5);
    const helpful = priorWithOptimum('help', 0.8, 0.8, 6);
    const rng = new Rng(8);
    const obs: Observation[] = Array.from({ length: 15 }, () => {
      const config = { x: rng.uniform(), y: rng.uniform() };
      return { config, value: target(config), state: 'completed' as const };
    });
    const [s] = suggest({ space, direction: 'minimize', observations: obs, count: 1, seed: 3, priors: [misleading, helpful] });
    expect(s!.provenance.strategy).toBe('transfer-bo');
    const w = Object.fromEntries(s!.provenance.model!.rgpeWeights!.map((r) => [r.experimentId, r.weight]));
    expect(w.mis).toBe(0);
    expect(w.help! + w.target!).toBeCloseTo(1, 9);
    expect(w.help!).toBeGreaterThan(0);
  });
});
