import { describe, expect, it } from 'vitest';
import {
  configKey,
  ModelCache,
  ProvenanceSchema,
  suggest,
  validateConfig,
  type Config,
  type Observation,
  type PriorExperiment,
  type SearchSpace,
  type SuggestRequest,
  type Suggestion,
} from '../../optimizers/index.ts';

const space: SearchSpace = [
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly', 'linear'] },
  { name: 'C', type: 'float', low: 1e-3, high: 1e3, log: true },
  { name: 'gamma', type: 'float', low: 1e-4, high: 10, log: true, condition: { parent: 'kernel', values: ['rbf'] } },
  { name: 'degree', type: 'int', low: 2, high: 5, log: false, condition: { parent: 'kernel', values: ['poly'] } },
  { name: 'tol', type: 'float', low: 0, high: 1, log: false },
];

function f(c: Config): number {
  const lc = Math.log10(c.C as number);
  const base = (lc - 1) ** 2 + ((c.tol as number) - 0.3) ** 2;
  if (c.kernel === 'rbf') return base + (Math.log10(c.gamma as number) + 2) ** 2 * 0.5;
  if (c.kernel === 'poly') return base + 1 + 0.1 * (c.degree as number);
  return base + 2;
}

function history(n: number, seed: number, value: (c: Config, i: number) => number | null = (c) => f(c)): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const [s] = suggest({ space, direction: 'minimize', observations: out, count: 1, seed, settings: { strategy: 'random' } });
    const v = value(s!.config, i);
    out.push({ id: `t${i}`, config: s!.config, value: v, state: v === null ? 'failed' : 'completed' });
  }
  return out;
}

function expectValid(suggestions: Suggestion[], count: number): void {
  expect(suggestions).toHaveLength(count);
  for (const s of suggestions) {
    expect(validateConfig(space, s.config)).toEqual({ ok: true });
    expect(() => ProvenanceSchema.parse(s.provenance)).not.toThrow();
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  }
}

const base = (over: Partial<SuggestRequest> = {}): SuggestRequest => ({ space, direction: 'minimize', observations: [], count: 1, seed: 3, ...over });

describe('suggest: strategies and provenance', () => {
  it('starts with a Sobol design, then switches to GP-BO with model provenance', () => {
    const first = suggest(base({ count: 3 }));
    expectValid(first, 3);
    expect(first.map((s) => s.provenance.strategy)).toEqual(['sobol', 'sobol', 'sobol']);
    const obs = history(12, 1);
    const [s] = suggest(base({ observations: obs }));
    expectValid([s!], 1);
    expect(s!.provenance.strategy).toBe('gp-bo');
    expect(s!.provenance.acquisition?.name).toBe('logei');
    expect(s!.provenance.model?.n).toBe(12);
    expect(s!.provenance.model?.lengthscales).toHaveLength(3 + 1 + 1 + 1 + 1);
    expect(s!.provenance.optimizerVersion).toMatch(/precedent/);
  });

  it('honours explicit strategies and the UCB acquisition', () => {
    for (const strategy of ['random', 'sobol', 'lhs'] as const) {
      expect(suggest(base({ settings: { strategy } }))[0]!.provenance.strategy).toBe(strategy);
    }
    const [u] = suggest(base({ observations: history(10, 2), settings: { acquisition: 'ucb' } }));
    expect(u!.provenance.acquisition?.name).toBe('ucb');
  });

  it('maximisation is minimisation of the negated objective', () => {
    const obs = history(15, 4);
    const neg = obs.map((o) => ({ ...o, value: o.value === null ? null : -o.value }));
    const a = suggest(base({ observations: obs, count: 2 }));
    const b = suggest(base({ observations: neg, direction: 'maximize', count: 2 }));
    expect(b.map((s) => s.config)).toEqual(a.map((s) => s.config));
  });

  it('rejects malformed spaces and requests with a readable error', () => {
    expect(() => suggest(base({ space: [{ name: 'a', type: 'float', low: 2, high: 1, log: false }] }))).toThrow(/invalid search space/);
    expect(() => suggest({ ...base(), count: 0 })).toThrow(/invalid suggest request/);
  });
});

describe('suggest: determinism', () => {
  it('same seed and history give identical suggestions; another seed differs', () => {
    const obs = history(14, 5);
    const req = base({ observations: obs, count: 3, seed: 17 });
    const a = suggest(req);
    const b = suggest(structuredClone(req));
    expect(b).toEqual(a);
    const c = suggest({ ...req, seed: 18 });
    expect(c.map((s) => s.config)).not.toEqual(a.map((s) => s.config));
  });

  it('is deterministic with priors too', () => {
    const prior: PriorExperiment = { id: 'p', direction: 'minimize', space, observations: history(30, 6) };
    const req = base({ observations: history(8, 7), priors: [prior], count: 2 });
    expect(suggest(req)).toEqual(suggest(structuredClone(req)));
  });
});

describe('suggest: model cache', () => {
  it('cached prior models give exactly the suggestions a cold call gives', () => {
    const prior: PriorExperiment = { id: 'p', direction: 'minimize', space, observations: history(30, 6) };
    const req = base({ observations: history(12, 7), priors: [prior], count: 2 });
    const cache = new ModelCache();
    const cold = suggest(req, { cache });
    expect(cold[0]!.provenance.strategy).toBe('transfer-bo');
    expect(cache.fits.size).toBeGreaterThan(0);
    const priorsOnly = new ModelCache();
    for (const k of cache.fits.keys()) priorsOnly.fits.set(k, cache.fits.get(k)!);
    expect(suggest(req, { cache: priorsOnly })).toEqual(suggest(req));
    expect(suggest(req, { cache })).toEqual(suggest(req));
  });

  it('cached prior projections are used only for the same prior data, and give what projecting again gives', () => {
    const prior: PriorExperiment = { id: 'p', direction: 'minimize', space, observations: history(30, 6) };
    const req = base({ observations: history(12, 7), priors: [prior], count: 2 });
    const cache = new ModelCache();
    suggest(req, { cache });
    const kept = () => cache;
    expect(cache.projections.size).toBeGreaterThan(0);
    expect(suggest(req, { cache: kept() })).toEqual(suggest(req));
    // Same id, one result changed: a different projection, so no stale hit.
    const changed = { ...prior, observations: prior.observations.map((o, i) => (i === 0 ? { ...o, value: (o.value as number) + 100 } : o)) };
    const req2 = { ...req, priors: [changed] };
    expect(suggest(req2, { cache: kept() })).toEqual(suggest(req2));
    // Same data under another target space: projected again.
    const req3 = {
      ...req,
      space: space.slice(0, 2),
      observations: req.observations.map((o) => ({ ...o, config: Object.fromEntries(space.slice(0, 2).map((p) => [p.name, o.config[p.name] ?? null])) })),
    };
    expect(suggest(req3, { cache: kept() })).toEqual(suggest(req3));
  });
});

describe('suggest: remembered target configurations', () => {
  it('give exactly what cold calls give as the history grows, in every state and across spaces; a new object is checked again', () => {
    const configMemo = new WeakMap();
    const obs: Observation[] = history(6, 11);
    // Out of the space's bounds: encoded after clamping, and said so in the notes.
    obs.push({ config: { ...obs[0]!.config, tol: 7 }, value: 1, state: 'completed' });
    obs.push({ config: obs[1]!.config, value: null, state: 'failed' });
    const modes = ['sobol', 'random', 'gp'] as const;
    for (let step = 0; step < 9; step++) {
      const req = base({ observations: [...obs], count: 2, seed: step, settings: { strategy: modes[step % 3]! } });
      const warm = suggest(req, { configMemo });
      expect(warm).toEqual(suggest(structuredClone(req)));
      obs.push({ config: warm[0]!.config, value: step, state: 'completed' }, { config: warm[1]!.config, value: null, state: 'pending' });
    }
    expect(obs.every((o) => configMemo.has(o.config) || o === obs[obs.length - 1] || o === obs[obs.length - 2])).toBe(true);
    // The same objects under another space are keyed and encoded for it.
    const narrow = space.map((p) => (p.type === 'float' ? { ...p, high: 0.5 } : p));
    const req = base({ space: narrow, observations: obs, count: 2, seed: 3 });
    expect(suggest(req, { configMemo })).toEqual(suggest(structuredClone(req)));
    // A malformed config in a new object is refused, naming its place.
    const broken = [...obs, { config: { tol: { nested: true } }, value: 1, state: 'completed' }] as unknown as Observation[];
    expect(() => suggest(base({ observations: broken, count: 1 }), { configMemo })).toThrow(/observations/);
  });

  it('remembered observations give exactly what cold calls give; only new objects are validated, and errors name their place', () => {
    const configMemo = new WeakMap();
    const observationMemo = new WeakMap();
    const obs: Observation[] = history(6, 12);
    obs.push({ id: 'extra', config: obs[1]!.config, value: null, state: 'failed' });
    const modes = ['sobol', 'gp', 'random'] as const;
    let given: Observation[] = [];
    for (let step = 0; step < 9; step++) {
      given = [...obs];
      const req = base({ observations: given, count: 2, seed: step, settings: { strategy: modes[step % 3]! } });
      const warm = suggest(req, { configMemo, observationMemo });
      expect(warm).toEqual(suggest(structuredClone(req)));
      // A pending trial that completes is a new object around the same configuration.
      const pending = obs.findIndex((o) => o.state === 'pending');
      if (pending >= 0) obs[pending] = { ...obs[pending]!, value: step, state: 'completed' };
      obs.push({ config: warm[0]!.config, value: step, state: 'completed' }, { config: warm[1]!.config, value: null, state: 'pending' });
    }
    expect(given.every((o) => observationMemo.has(o))).toBe(true);
    expect(obs.filter((o) => !given.includes(o)).some((o) => observationMemo.has(o))).toBe(false);
    // The memo gives the validated copy: extra fields of the caller's object are not handed on.
    const withExtra = { ...obs[0]!, note: 'x' } as Observation;
    const req = base({ observations: [withExtra, ...obs.slice(1)], count: 1, seed: 1 });
    expect(suggest(req, { configMemo, observationMemo })).toEqual(suggest(structuredClone(req)));
    expect(observationMemo.get(withExtra)).not.toHaveProperty('note');
    // A malformed new observation among known ones is refused, naming its index in the request.
    const broken = [...obs, { config: obs[0]!.config, value: 'high', state: 'completed' }] as unknown as Observation[];
    expect(() => suggest(base({ observations: broken, count: 1 }), { configMemo, observationMemo })).toThrow(
      new RegExp(`observations.*${obs.length}.*value`, 's'),
    );
  });
});

describe('suggest: batches and pending trials', () => {
  it('a batch contains distinct configs, none equal to an observed or pending one', () => {
    const obs = history(12, 8);
    const pending: Observation[] = [{ config: obs[0]!.config, value: null, state: 'pending' }];
    const sugg = suggest(base({ observations: [...obs.slice(1), ...pending], count: 6 }));
    expectValid(sugg, 6);
    const keys = sugg.map((s) => configKey(space, s.config));
    expect(new Set(keys).size).toBe(6);
    const seen = new Set(obs.map((o) => configKey(space, o.config)));
    for (const k of keys) expect(seen.has(k)).toBe(false);
  });

  it('pending trials change the next suggestion (the model treats them as fantasies)', () => {
    const obs = history(12, 9);
    const [a] = suggest(base({ observations: obs }));
    const [b] = suggest(base({ observations: [...obs, { config: a!.config, value: null, state: 'pending' }] }));
    expect(configKey(space, b!.config)).not.toBe(configKey(space, a!.config));
  });

  it('every batch mode works', () => {
    const obs = history(10, 10);
    for (const batch of ['kriging-believer', 'constant-liar-min', 'constant-liar-mean', 'constant-liar-max'] as const) {
      const s = suggest(base({ observations: obs, count: 3, settings: { batch } }));
      expect(new Set(s.map((x) => configKey(space, x.config))).size).toBe(3);
    }
  });

  it('with a finite menu, never repeats while alternatives exist, then says so', () => {
    const menu = history(6, 11).map((o) => o.config);
    const obs: Observation[] = menu.slice(0, 4).map((config) => ({ config, value: f(config), state: 'completed' }));
    const s = suggest(base({ observations: obs, candidates: menu, count: 3, settings: { nInitial: 0 } }));
    const keys = s.map((x) => configKey(space, x.config));
    expect(new Set(keys.slice(0, 2))).toEqual(new Set(menu.slice(4).map((c) => configKey(space, c))));
    expect(s[2]!.provenance.notes.join(' ')).toMatch(/repeat/);
  });

  it('enumerates small discrete spaces so de-duplication is exact', () => {
    const tiny: SearchSpace = [
      { name: 'a', type: 'categorical', choices: ['x', 'y'] },
      { name: 'b', type: 'int', low: 1, high: 3, log: false },
    ];
    const obs: Observation[] = [];
    for (let i = 0; i < 6; i++) {
      const [s] = suggest({ space: tiny, direction: 'minimize', observations: obs, count: 1, seed: 1 });
      obs.push({ config: s!.config, value: (s!.config.b as number) + (s!.config.a === 'x' ? 0 : 0.5), state: 'completed' });
    }
    expect(new Set(obs.map((o) => configKey(tiny, o.config))).size).toBe(6);
  });
});

describe('suggest: robustness', () => {
  const cases: [string, () => Observation[]][] = [
    ['no observations', () => []],
    ['one observation', () => history(1, 12)],
    ['two observations', () => history(2, 12)],
    [
      'duplicate points',
      () => {
        const h = history(6, 13);
        return [...h, ...h, ...h.map((o) => ({ ...o, value: (o.value as number) + 0.1 }))];
      },
    ],
    ['constant objective', () => history(12, 14, () => 3)],
    ['all failed', () => history(12, 15, () => null)],
    ['mostly failed', () => history(12, 16, (c, i) => (i % 4 === 0 ? f(c) : null))],
    ['huge values', () => history(12, 17, (c) => 1e300 * (1 + f(c)))],
    ['mixed signs near 1e300', () => history(12, 18, (c, i) => (i % 2 ? 1e300 : -1e300) * (1 + f(c) / 1e3))],
    ['tiny values', () => history(12, 19, (c) => 1e-300 * (1 + f(c)))],
    ['tiny differences', () => history(12, 20, (c) => 1 + 1e-14 * f(c))],
    ['one outlier', () => history(12, 21, (c, i) => (i === 3 ? 1e12 : f(c)))],
    ['non-finite completed value', () => history(12, 22, (c, i) => (i === 2 ? Number.POSITIVE_INFINITY : f(c)))],
    ['invalid stored config', () => [...history(8, 23), { config: { kernel: 'rbf', C: 1e9, gamma: 1, degree: null, tol: 0.5 }, value: 1, state: 'completed' }]],
  ];
  for (const [name, make] of cases) {
    it(`${name}: valid suggestions, no NaN, no throw`, () => {
      const obs = make();
      for (const strategy of ['auto', 'gp'] as const) {
        const s = suggest(base({ observations: obs, count: 2, settings: { strategy } }));
        expectValid(s, 2);
      }
    });
  }

  it('explains fallbacks in the notes', () => {
    const [a] = suggest(base({ observations: history(12, 24, () => null), settings: { strategy: 'gp' } }));
    expect(a!.provenance.strategy).toBe('sobol');
    expect(a!.provenance.notes.join(' ')).toMatch(/needs at least 2 completed.*fell back to sobol/);
    const [b] = suggest(base({ observations: history(12, 25, () => 3), settings: { strategy: 'gp' } }));
    expect(b!.provenance.notes.join(' ')).toMatch(/constant/);
    const [c] = suggest(base({ observations: history(12, 26, (c2, i) => (i < 3 ? null : f(c2))) }));
    expect(c!.provenance.notes.join(' ')).toMatch(/3 failed trial\(s\) imputed/);
  });

  it('empty or useless priors fall back to the cold-start path', () => {
    const useless: PriorExperiment = {
      id: 'x',
      direction: 'minimize',
      space: [{ name: 'other', type: 'float', low: 0, high: 1, log: false }],
      observations: [],
    };
    for (const priors of [[], [useless]]) {
      const [s] = suggest(base({ observations: history(12, 27), priors }));
      expect(s!.provenance.strategy).toBe('gp-bo');
    }
    const [t] = suggest(base({ observations: [], priors: [useless], count: 1 }));
    expect(t!.provenance.strategy).toBe('sobol');
    expect(t!.provenance.notes.join(' ')).toMatch(/prior 'x' ignored/);
  });

  it('a space with only an empty-range float still works', () => {
    const s = suggest({ space: [{ name: 'a', type: 'float', low: 1, high: 1, log: false }], direction: 'minimize', observations: [], count: 2, seed: 1 });
    expect(s.map((x) => x.config.a)).toEqual([1, 1]);
  });
});
