// PED-ANOVA parameter importance (optimizers/importance) on synthetic functions whose answer is known:
// only the parameters the function depends on may be important, in the order of how much they matter.
import { describe, expect, it } from 'vitest';
import { type ImportanceObservation, pedAnova, topTrials } from '../../optimizers/importance/index.ts';
import { Rng } from '../../optimizers/random.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';

const unitCube: SearchSpace = ['x1', 'x2', 'x3'].map((name) => ({ name, type: 'float' as const, low: 0, high: 1, log: false }));

function sample(n: number, seed: number, f: (x: number[]) => number): ImportanceObservation[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const x = [rng.uniform(), rng.uniform(), rng.uniform()];
    return { config: { x1: x[0], x2: x[1], x3: x[2] }, value: f(x) };
  });
}

const share = (r: ReturnType<typeof pedAnova>) => Object.fromEntries(r.parameters.map((p) => [p.name, p.importance]));

describe('PED-ANOVA importance', () => {
  it('gives nearly all importance to the one parameter of three that matters', () => {
    const obs = sample(300, 1, ([x1]) => (x1! - 0.3) ** 2);
    const r = pedAnova(unitCube, 'minimize', obs);
    const s = share(r);
    expect(r.method).toBe('ped-anova');
    expect(r.reference).toMatch(/Watanabe.*2023/);
    expect(r.trials).toBe(300);
    expect(r.topTrials).toBe(30);
    expect(r.parameters[0]!.name).toBe('x1');
    expect(s.x1).toBeGreaterThan(0.85);
    expect(s.x2).toBeLessThan(0.08);
    expect(s.x3).toBeLessThan(0.08);
    expect(r.parameters.reduce((t, p) => t + p.importance, 0)).toBeCloseTo(1, 10);
  });

  it('finds it against the uniform baseline too, and with a handful of trials', () => {
    const global = share(
      pedAnova(
        unitCube,
        'minimize',
        sample(300, 2, ([x1]) => Math.abs(x1! - 0.7)),
        { baseline: 'global' },
      ),
    );
    expect(global.x1).toBeGreaterThan(0.8);
    const few = share(
      pedAnova(
        unitCube,
        'minimize',
        sample(40, 3, ([x1]) => (x1! - 0.3) ** 2),
      ),
    );
    expect(few.x1).toBeGreaterThan(Math.max(few.x2!, few.x3!));
  });

  it('depends only on the ranking of the values and follows the direction', () => {
    const f = ([x1, x2]: number[]) => (x1! - 0.5) ** 2 + 0.2 * x2!;
    const obs = sample(200, 4, f);
    const plain = pedAnova(unitCube, 'minimize', obs);
    const monotone = pedAnova(
      unitCube,
      'minimize',
      obs.map((o) => ({ ...o, value: Math.exp(5 * o.value) - 3 })),
    );
    const flipped = pedAnova(
      unitCube,
      'maximize',
      obs.map((o) => ({ ...o, value: -o.value })),
    );
    expect(monotone.parameters).toEqual(plain.parameters);
    expect(flipped.parameters).toEqual(plain.parameters);
    expect(flipped.cutoff).toBeCloseTo(-plain.cutoff!, 12);
  });

  it('orders parameters by how strongly the function depends on them', () => {
    const r = share(
      pedAnova(
        unitCube,
        'minimize',
        sample(600, 5, ([x1, x2]) => 16 * (x1! - 0.5) ** 2 + (x2! - 0.5) ** 2),
      ),
    );
    expect(r.x1).toBeGreaterThan(r.x2!);
    expect(r.x2).toBeGreaterThan(r.x3!);
    expect(r.x3).toBeLessThan(0.1);
  });

  it('handles log, int and categorical parameters, and conditional ones on their active trials', () => {
    const space: SearchSpace = [
      { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
      { name: 'depth', type: 'int', low: 1, high: 12, log: false },
      { name: 'booster', type: 'categorical', choices: ['gbtree', 'dart', 'linear'] },
      { name: 'rate_drop', type: 'float', low: 0, high: 0.5, log: false, condition: { parent: 'booster', values: ['dart'] } },
      { name: 'fixed', type: 'int', low: 3, high: 3, log: false },
    ];
    const rng = new Rng(6);
    const configs = Array.from({ length: 400 }, () => {
      const booster = ['gbtree', 'dart', 'linear'][rng.int(3)]!;
      return {
        lr: 10 ** (-5 + 5 * rng.uniform()),
        depth: 1 + rng.int(12),
        booster,
        rate_drop: booster === 'dart' ? 0.5 * rng.uniform() : null,
        fixed: 3,
      };
    });
    // Only lr matters, on the log scale: best at 1e-2.
    const byLr = share(
      pedAnova(
        space,
        'maximize',
        configs.map((config) => ({ config, value: -((Math.log10(config.lr) + 2) ** 2) })),
      ),
    );
    expect(byLr.lr).toBeGreaterThan(0.75);
    expect(byLr.fixed).toBe(0);
    // Only the booster matters: linear is best.
    const byBooster = pedAnova(
      space,
      'minimize',
      configs.map((config, i) => ({ config, value: (config.booster === 'linear' ? 0 : 1) + 0.01 * (i % 7) })),
    );
    expect(byBooster.parameters[0]!.name).toBe('booster');
    expect(byBooster.parameters[0]!.importance).toBeGreaterThan(0.8);
    const drop = byBooster.parameters.find((p) => p.name === 'rate_drop')!;
    // rate_drop is active only under dart, which is never among the top trials here.
    expect(drop.importance).toBe(0);
    expect(drop.note).toBe('never active in the top trials');
    expect(drop.activeTrials).toBe(configs.filter((c) => c.booster === 'dart').length);
  });

  it('gives equal shares, and says why, when there are too few trials or no differences', () => {
    const few = pedAnova(
      unitCube,
      'minimize',
      sample(2, 7, ([x1]) => x1!),
    );
    expect(few.parameters.map((p) => p.importance)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(few.notes[0]).toMatch(/at least 3 are needed/);
    const ties = pedAnova(
      unitCube,
      'minimize',
      sample(20, 8, () => 1),
    );
    expect(ties.notes).toContain('every trial ties with the best: the importances are equal');
    expect(ties.parameters.reduce((t, p) => t + p.importance, 0)).toBeCloseTo(1, 10);
    expect(pedAnova(unitCube, 'minimize', [{ config: { x1: 0.5 }, value: Number.NaN }]).trials).toBe(0);
  });

  it('takes the top quantile with ties, at least minTop trials', () => {
    expect(topTrials([5, 1, 3, 1, 9], 'minimize', 0.1, 2)).toEqual({ indices: [1, 3], cutoff: 1 });
    expect(topTrials([5, 1, 3, 1, 9], 'maximize', 0.2, 2)).toEqual({ indices: [0, 4], cutoff: 5 });
    expect(topTrials([2, 2, 2, 3], 'minimize', 0.1, 2).indices).toEqual([0, 1, 2]);
  });
});
