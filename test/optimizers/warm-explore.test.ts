// The warm design explores (issue 27, item 3) when asked to (settings.warmSpacing): with one prior,
// whose top configurations are near-duplicates, the design's configurations keep a minimum distance
// from each other (unless the candidate menu forces them closer), every branch of the conditional
// space is tried within the design, each pick says what it is, and the same request gives the same
// design. Without the setting the greedy portfolio goes on in the prior's order.
import { describe, expect, it } from 'vitest';
import { Rng, suggest, type Config, type Observation, type PriorExperiment, type SearchSpace, type Suggestion } from '../../optimizers/index.ts';
import { Encoder } from '../../optimizers/encoding.ts';
import { chooseOption, conditionalBranches, inBranch, unevaluatedBranches } from '../../optimizers/warmstart/explore.ts';
import { projectPrior } from '../../optimizers/warmstart/project.ts';

const space: SearchSpace = [
  { name: 'model', type: 'categorical', choices: ['mlp', 'linear', 'tree'] },
  { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'l2', type: 'float', low: 1e-6, high: 1e-1, log: true, condition: { parent: 'model', values: ['mlp', 'linear'] } },
  { name: 'epochs', type: 'int', low: 1, high: 100, log: false, condition: { parent: 'model', values: ['mlp'] } },
  { name: 'depth', type: 'int', low: 1, high: 12, log: false, condition: { parent: 'model', values: ['tree'] } },
];

/** The user's report: ten near-identical top configurations (same l2 and epochs, lr 0.012–0.024, the same value), and no tree ever run. */
function onePrior(): PriorExperiment {
  const rng = new Rng(7);
  const observations: PriorExperiment['observations'] = [];
  for (let i = 0; i < 10; i++)
    observations.push({ id: `dup${i}`, config: { model: 'mlp', lr: 0.012 + 0.0012 * i, l2: 1e-4, epochs: 50, depth: null }, value: 0.897, state: 'completed' });
  for (let i = 0; i < 50; i++) {
    const model = rng.uniform() < 0.5 ? 'mlp' : 'linear';
    const lr = 10 ** (-4 + 4 * rng.uniform());
    observations.push({
      id: `r${i}`,
      config: { model, lr, l2: 10 ** (-6 + 5 * rng.uniform()), epochs: model === 'mlp' ? 1 + Math.floor(99 * rng.uniform()) : null, depth: null },
      value: 0.85 - 0.1 * Math.abs(Math.log10(lr) + 1.8) + 0.01 * rng.uniform(),
      state: 'completed',
    });
  }
  return { id: 'prior', direction: 'maximize', space, observations };
}

const encoder = new Encoder(space);
/** The minimum distance asked for, in the unit encoding. */
const SPACING = 0.15;
const target = (c: Config) => 0.8 - 0.05 * Math.abs(Math.log10(c.lr as number) + 2) + (c.model === 'tree' ? 0.05 : 0);

/** The warm design as a service would ask for it: one suggestion at a time, each told before the next. */
function design(
  prior: PriorExperiment,
  seed: number,
  n: number,
  menu?: Config[],
  warmSpacing = SPACING,
  warmTrust: 'earned' | 'given' = 'earned',
): Suggestion[] {
  const obs: Observation[] = [];
  const out: Suggestion[] = [];
  for (let t = 0; t < n; t++) {
    const [s] = suggest({
      space,
      direction: 'maximize',
      observations: [...obs],
      count: 1,
      seed: seed + t,
      priors: [prior],
      settings: { warmSpacing, warmTrust },
      ...(menu ? { candidates: menu } : {}),
    });
    out.push(s!);
    obs.push({ config: s!.config, value: target(s!.config), state: 'completed' });
  }
  return out;
}

function minDistance(configs: Config[]): number {
  const X = configs.map((c) => encoder.encode(c));
  let d = Infinity;
  for (let i = 0; i < X.length; i++) for (let j = 0; j < i; j++) d = Math.min(d, Math.sqrt(X[i]!.reduce((a, v, k) => a + (v - X[j]![k]!) ** 2, 0)));
  return d;
}

describe('warm design that explores', () => {
  const prior = onePrior();
  const nInitial = 10; // clamp(2 · 5 parameters, 5, 10)

  it(`with one prior of near-duplicate top configurations: no two design configurations closer than ${SPACING}, every branch tried`, () => {
    for (const seed of [1, 2, 3]) {
      const s = design(prior, seed, nInitial);
      const configs = s.map((x) => x.config);
      expect(minDistance(configs)).toBeGreaterThanOrEqual(SPACING);
      for (const model of ['mlp', 'linear', 'tree']) expect(configs.some((c) => c.model === model)).toBe(true);
      // The prior never ran a tree: it is covered right after the first (portfolio) pick, as a space-filling pick.
      expect(s[0]!.provenance.strategy).toBe('portfolio');
      expect(s[1]!.config.model).toBe('tree');
      expect(s[1]!.provenance.strategy).toBe('sobol');
      expect(s[1]!.provenance.notes.join(' ')).toMatch(/covers model = "tree", which no weighted prior evaluated/);
      // At most one of the prior's ten near-duplicates (the others are within the radius of it).
      expect(configs.filter((c) => c.l2 === 1e-4 && c.epochs === 50).length).toBeLessThanOrEqual(1);
      // After the first two, every pick is a diversity pick and says so.
      for (const x of s.slice(2)) expect(x.provenance.notes.join(' ')).toMatch(/no configuration adds to the portfolio any more/);
      for (const x of s) {
        // Provenance says what each pick is: a portfolio pick (with its source trial), a diversity pick
        // from the prior's configurations, or a space-filling (Sobol) pick.
        expect(['portfolio', 'sobol']).toContain(x.provenance.strategy);
        if (x.provenance.strategy === 'portfolio') expect(x.provenance.sourceTrials[0]!.experimentId).toBe('prior');
        else expect(x.provenance.notes.join(' ')).toMatch(/space-filling pick in the warm design/);
        for (const v of Object.values(x.config)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      }
    }
  });

  it("off by default, the design earns trust: the prior's best, then Sobol points until three results can judge the prior, then the prior again while it ranks them better than chance", () => {
    const s = design(prior, 1, nInitial, undefined, 0);
    expect(s[0]!.provenance.strategy).toBe('portfolio');
    for (const x of s.slice(1, 3)) {
      expect(x.provenance.strategy).toBe('sobol');
      expect(x.provenance.notes.join(' ')).toMatch(
        /the priors' best configurations are in the design and the target has fewer than 3 results to judge the priors by/,
      );
    }
    // The target ranks like the prior (both best near lr = 0.01): its configurations are followed again.
    expect(s[3]!.provenance.strategy).toBe('portfolio');
    expect(s[3]!.provenance.priors.map((p) => p.experimentId)).toEqual(['prior']);
    // A prior that ranks the target's results the wrong way round is not followed once they show it.
    const backwards: PriorExperiment = { ...prior, direction: 'minimize' };
    const b = design(backwards, 1, 5, undefined, 0);
    for (const x of b.slice(3)) {
      expect(x.provenance.strategy).toBe('sobol');
      expect(x.provenance.notes.join(' ')).toMatch(/no prior ranks the target results better than chance; continued with the Sobol design/);
    }
    const req = { space, direction: 'maximize' as const, observations: [], count: 3, seed: 2, priors: [prior] };
    expect(suggest(req)).toEqual(suggest({ ...req, settings: { warmSpacing: 0, warmTrust: 'earned' } }));
  });

  it("warmTrust 'given': the greedy portfolio goes on in the prior order, near-duplicates and all", () => {
    const s = design(prior, 1, nInitial, undefined, 0, 'given');
    expect(s.every((x) => x.provenance.strategy === 'portfolio')).toBe(true);
    expect(s.some((x) => x.config.model === 'tree')).toBe(false);
    expect(minDistance(s.map((x) => x.config))).toBeLessThan(SPACING);
  });

  it('each pick of a batch has notes of its own: a request-wide note appears once per pick, with or without exploring', () => {
    const ignored: PriorExperiment = { id: 'too-small', direction: 'maximize', space, observations: prior.observations.slice(0, 1) };
    for (const warmSpacing of [0, SPACING]) {
      const batch = suggest({ space, direction: 'maximize', observations: [], count: 4, seed: 3, priors: [prior, ignored], settings: { warmSpacing } });
      for (const x of batch) {
        expect(x.provenance.notes.filter((n) => n.includes("prior 'too-small' ignored"))).toHaveLength(1);
        expect(new Set(x.provenance.notes).size).toBe(x.provenance.notes.length);
      }
    }
  });

  it('the same seed and history give the same design (fresh calls, and one batch equal to itself)', () => {
    expect(design(prior, 5, nInitial)).toEqual(design(structuredClone(prior), 5, nInitial));
    const req = { space, direction: 'maximize' as const, observations: [], count: nInitial, seed: 9, priors: [prior], settings: { warmSpacing: SPACING } };
    const batch = suggest(req);
    expect(batch).toEqual(suggest(structuredClone(req)));
    // A whole design asked at once keeps the distance too.
    expect(minDistance(batch.map((x) => x.config))).toBeGreaterThanOrEqual(SPACING);
    expect(new Set(batch.map((x) => x.config.model))).toEqual(new Set(['mlp', 'linear', 'tree']));
  });

  it('with a candidate menu: the distance holds while the menu allows it, and the tree branch is taken from the menu', () => {
    // A coarse menu: lr on a grid, the prior's own near-duplicates included, a few trees.
    const menu: Config[] = [
      ...prior.observations.slice(0, 10).map((o) => o.config),
      ...[1e-4, 1e-3, 1e-2, 1e-1, 1].flatMap((lr) => [
        { model: 'mlp', lr, l2: 1e-4, epochs: 10, depth: null },
        { model: 'linear', lr, l2: 1e-3, epochs: null, depth: null },
        { model: 'tree', lr, l2: null, epochs: null, depth: 6 },
      ]),
    ];
    const s = design(prior, 11, nInitial, menu);
    const keys = new Set(s.map((x) => JSON.stringify(x.config)));
    expect(keys.size).toBe(nInitial);
    expect(s.some((x) => x.config.model === 'tree')).toBe(true);
    // 25 entries, 10 of them within 0.15 of each other: the first nine picks (the first of the
    // duplicates and then far entries, 16 far ones exist) keep the distance.
    expect(minDistance(s.slice(0, 9).map((x) => x.config))).toBeGreaterThanOrEqual(SPACING);
  });

  it('branches: every choice of a parent parameter; those no weighted prior evaluated; a choice with farthest fallback', () => {
    expect(conditionalBranches(space).map((b) => b.value)).toEqual(['mlp', 'linear', 'tree']);
    const projected = projectPrior(encoder, prior, { maxObservations: 100 });
    expect(projected).not.toBeNull();
    expect(unevaluatedBranches(space, [projected!], [1]).map((b) => b.value)).toEqual(['tree']);
    expect(unevaluatedBranches(space, [projected!], [0]).map((b) => b.value)).toEqual(['mlp', 'linear', 'tree']);
    expect(inBranch(space, { model: 'tree', lr: 0.1, l2: null, epochs: null, depth: 3 }, conditionalBranches(space)[2]!)).toBe(true);
    const o = (loss: number, dmin: number) => ({ config: {}, key: '', x: new Float64Array(0), loss, dmin });
    // The best far option; else the farthest.
    expect(chooseOption([o(0.1, 0.05), o(0.3, 0.2), o(0.2, 0.5)], 0.15)).toBe(2);
    expect(chooseOption([o(0.1, 0.05), o(0.3, 0.1), o(0.2, 0.08)], 0.15)).toBe(1);
    expect(chooseOption([], 0.15)).toBe(-1);
  });
});
