// An experiment's optimizer, kept across calls with its memos, suggests exactly what a cold call
// suggests for the same request: through random sequences of asks, results, failures,
// invalidations, settings changes and priors that gain results, with shared prior memos that are
// trimmed as they go (issue 25).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExperimentOptimizer, PriorMemos } from '../../optimizers/experiment-optimizer.ts';
import type { Config, Observation, PriorExperiment, SearchSpace, Settings, SuggestRequest } from '../../optimizers/schema.ts';
import { suggest } from '../../optimizers/suggest.ts';

const space: SearchSpace = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'y', type: 'float', low: 0, high: 1, log: false },
  { name: 'k', type: 'categorical', choices: ['a', 'b', 'c'] },
];
const loss = (c: Config, ox: number) => ((c.x as number) - ox) ** 2 + ((c.y as number) - 0.4) ** 2 + (c.k === 'b' ? 0 : 0.1);

function priorExperiment(id: string, ox: number, n: number): PriorExperiment {
  const observations: Observation[] = Array.from({ length: n }, (_, i) => {
    const config = { x: ((i * 7) % 11) / 10, y: ((i * 3) % 7) / 6, k: ['a', 'b', 'c'][i % 3]! };
    return { id: `${id}-${i}`, config, value: loss(config, ox), state: 'completed' };
  });
  return { id, direction: 'minimize', space, observations };
}

// Cheap model settings: the property runs hundreds of model fits.
const cheap: Settings = { fitRestarts: 1, acqRawSamples: 32, acqLocalStarts: 1, rgpeSamples: 16 };
const settingsChange = fc.constantFrom<Settings>(
  { nInitial: 4 },
  { nInitial: 30 },
  { strategy: 'transfer' },
  { strategy: 'gp' },
  { strategy: 'warm-init' },
  { warmSpacing: 0.2 },
  { acquisition: 'ucb' },
);
// One round: an ask, results for some of what it suggested (completed, failed, or still running),
// then maybe something else happens before the next ask.
const round = fc.record({
  ask: fc.integer({ min: 1, max: 3 }),
  results: fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom('fail' as const, 'running' as const)), {
    minLength: 3,
    maxLength: 3,
  }),
  next: fc.oneof(
    fc.constant(null),
    fc.record({ invalidate: fc.nat() }),
    // A batch found to leak (say): every result but the last few taken out.
    fc.record({ keepLast: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ settings: settingsChange }),
    fc.record({ priorGains: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ lateResult: fc.nat(), value: fc.double({ min: -1, max: 1, noNaN: true }) }),
  ),
});

describe('experiment optimizer', () => {
  it('suggests exactly what a cold call suggests, step after step, whatever happens between asks', () => {
    const strategies = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(round, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.constantFrom(4, 12, 24),
        (rounds, maxPriorModels, withPriors, nInitial) => {
          const shared = new PriorMemos(maxPriorModels);
          const optimizer = new ExperimentOptimizer(shared);
          let priors = withPriors ? [priorExperiment('p0', 0.2, 8), priorExperiment('p1', 0.7, 10), priorExperiment('p2', 0.5, 6)] : [];
          // The objects a caller hands back: unchanged observations are the same objects from call to call.
          let observations: Observation[] = [];
          let settings: Settings = { ...cheap, nInitial };
          let asks = 0;
          const pick = (i: number, state: Observation['state']) => {
            const at = observations.map((o, k) => (o.state === state ? k : -1)).filter((k) => k >= 0);
            return at.length > 0 ? at[i % at.length]! : -1;
          };
          for (const r of rounds) {
            const request: SuggestRequest = {
              space,
              direction: 'minimize',
              observations: observations.slice(),
              count: r.ask,
              seed: asks++,
              priors: priors.slice(),
              settings,
            };
            const cold = suggest(structuredClone(request));
            const warm = optimizer.suggest(request);
            expect(warm).toEqual(cold);
            strategies.add(warm[0]!.provenance.strategy);
            warm.forEach((w, i) => {
              const result = r.results[i]!;
              // A trial whose state changed is a new object around the same configuration.
              if (result === 'running') observations.push({ config: w.config, value: null, state: 'pending' });
              else if (result === 'fail') observations.push({ config: w.config, value: null, state: 'failed' });
              else observations.push({ config: w.config, value: result, state: 'completed' });
            });
            const t = r.next;
            if (t === null) continue;
            if ('invalidate' in t) {
              const k = pick(t.invalidate, 'completed');
              if (k >= 0) observations = observations.filter((_, i) => i !== k);
            } else if ('keepLast' in t) {
              observations = observations.slice(observations.length - Math.min(t.keepLast, observations.length));
            } else if ('lateResult' in t) {
              const k = pick(t.lateResult, 'pending');
              if (k >= 0) observations[k] = { config: observations[k]!.config, value: t.value, state: 'completed' };
            } else if ('settings' in t) {
              settings = { ...settings, ...t.settings };
            } else if (priors.length > 0) {
              // A prior's new version is a new object (its history changed).
              const p = priors[t.priorGains]!;
              const config = { x: 0.33, y: 0.66, k: 'c' };
              const gained = {
                ...p,
                observations: [...p.observations, { id: `${p.id}-${p.observations.length}`, config, value: loss(config, 0.3), state: 'completed' as const }],
              };
              priors = priors.map((q) => (q === p ? gained : q));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
    // The sequences reach every kind of suggestion, model-based ones included.
    for (const s of ['gp-bo', 'portfolio', 'sobol', 'transfer-bo']) expect(strategies.has(s), s).toBe(true);
  });
});
