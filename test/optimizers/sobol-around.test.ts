// The warm design fills around the priors' picks (issue 27): after the prior's best configuration, its
// Sobol' points are the cold design's own, less the one the pick stands in for (the nearest to it). The
// fill used to resume the sequence at the batch's position, which dropped the cold design's first point
// and kept the one next to the pick.
import { describe, expect, it } from 'vitest';
import { Rng, suggest, type Config, type Observation, type PriorExperiment, type SearchSpace, type Suggestion } from '../../optimizers/index.ts';
import { Encoder } from '../../optimizers/encoding.ts';
import { distance } from '../../optimizers/warmstart/explore.ts';

const space: SearchSpace = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'y', type: 'float', low: 1e-3, high: 1, log: true },
  { name: 'kind', type: 'categorical', choices: ['a', 'b'] },
];
const nInitial = 6; // clamp(2 · 3 parameters, 5, 10)
const encoder = new Encoder(space);
const f = (c: Config) => 0.1 * Number(c.kind === 'a') - ((c.x as number) - 0.8) ** 2 - (Math.log10(c.y as number) + 1) ** 2;

/** A prior whose ranking is the target's turned round, so the design does not follow it past its best configuration. */
function backwardsPrior(): PriorExperiment {
  const rng = new Rng(3);
  const observations = Array.from({ length: 40 }, (_, i) => {
    const config = { x: rng.uniform(), y: 10 ** (-3 * rng.uniform()), kind: rng.uniform() < 0.5 ? 'a' : 'b' };
    return { id: `p${i}`, config, value: -f(config), state: 'completed' as const };
  });
  return { id: 'prior', direction: 'maximize', space, observations };
}

/** The design one ask at a time with one seed, as the service asks it, each result told before the next ask. */
function askOneAtATime(priors: PriorExperiment[], seed: number, n: number, candidates?: Config[]): Suggestion[] {
  const observations: Observation[] = [];
  const out: Suggestion[] = [];
  for (let t = 0; t < n; t++) {
    const [s] = suggest({ space, direction: 'maximize', observations: [...observations], count: 1, seed, priors, ...(candidates ? { candidates } : {}) });
    out.push(s!);
    observations.push({ config: s!.config, value: f(s!.config), state: 'completed' });
  }
  return out;
}

describe('the warm design fills around the priors’ picks', () => {
  const prior = backwardsPrior();

  it("is the cold Sobol' design with the prior's pick in place of the design point nearest to it", () => {
    for (const seed of [1, 2, 3, 4]) {
      const cold = suggest({ space, direction: 'maximize', observations: [], count: nInitial, seed }).map((s) => s.config);
      const warm = askOneAtATime([prior], seed, nInitial);
      expect(warm[0]!.provenance.strategy).toBe('portfolio');
      const pick = encoder.encode(warm[0]!.config);
      const gaps = cold.map((c) => distance(encoder.encode(c), pick));
      const replaced = gaps.indexOf(Math.min(...gaps));
      expect(warm.slice(1).map((s) => s.config)).toEqual(cold.filter((_, i) => i !== replaced));
      for (const s of warm.slice(1)) expect(s.provenance.strategy).toBe('sobol');
      // One batch of the whole design gives the same design.
      const batch = suggest({ space, direction: 'maximize', observations: [], count: nInitial, seed, priors: [prior] });
      expect(batch.map((s) => s.config)).toEqual(warm.map((s) => s.config));
    }
  });

  it('a cold design is the Sobol sequence in its own order, as before', () => {
    const seed = 9;
    const batch = suggest({ space, direction: 'maximize', observations: [], count: nInitial, seed }).map((s) => s.config);
    expect(askOneAtATime([], seed, nInitial).map((s) => s.config)).toEqual(batch);
  });

  it('with a menu smaller than the design, every entry is tried once before any repeats', () => {
    const menu: Config[] = [
      { x: 0.1, y: 0.01, kind: 'a' },
      { x: 0.5, y: 0.1, kind: 'b' },
      { x: 0.9, y: 0.5, kind: 'a' },
      { x: 0.3, y: 0.002, kind: 'b' },
    ];
    const warm = askOneAtATime([prior], 5, menu.length, menu);
    expect(new Set(warm.map((s) => JSON.stringify(s.config))).size).toBe(menu.length);
    for (const s of warm) expect(s.provenance.notes.join(' ')).not.toMatch(/repeating/);
  });
});
