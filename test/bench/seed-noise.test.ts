import { describe, expect, it } from 'vitest';
import type { Curve, QualityResults } from '../../bench/quality/schema.ts';
import { pairedExtremes, seedNoise } from '../../bench/quality/seed-noise.ts';

const curve = (task: string, seed: number, regret: number[]): Curve => ({ task, seed, incumbent: regret.map((r) => 1 - r), regret });

function results(gp: Curve[], budget: number): QualityResults {
  return {
    format: 'quality/1',
    suite: 's',
    methods: ['gp'],
    budgets: [budget],
    protocol: { budget, seeds: [1, 2, 3], priorTrials: 10, shufflePriors: false, viaService: false, tasks: [...new Set(gp.map((c) => c.task))], skipped: [] },
    summary: {},
    ranks: {},
    trialsToTarget: {},
    curves: { gp },
  };
}

describe('seed noise (a method against itself across seeds)', () => {
  it('reads no difference when every seed of a task gives the same curve', () => {
    const gp = ['a', 'b', 'c'].flatMap((t, i) => [1, 2, 3].map((s) => curve(t, s, [0.5 - i / 10, 0.2, 0])));
    const n = seedNoise(results(gp, 3), 'gp', { pairings: 50 })!;
    expect(n.pairs).toBe(3); // ⌊3 seeds / 2⌋ per task
    expect(n.withinOneSe).toBe(1);
    expect(n.worstZ).toEqual({ median: 0, p90: 0, p95: 0 });
    expect(n.budgetsBeyond).toEqual({ median: 0, p95: 0 });
  });

  it("draws the pairs' orientation at random: two tasks whose seeds differ by the same step read +∞, 0 or −∞ with chances ¼, ½, ¼", () => {
    // Each pairing is (+0.2 or −0.2) per task: both + → mean 0.2 without spread (+∞); one of each → 0; both − → −∞.
    const gp = ['a', 'b'].flatMap((t) => [curve(t, 1, [0.2]), curve(t, 2, [0])]);
    const n = seedNoise(results(gp, 1), 'gp', { pairings: 2000, seed: 7 })!;
    expect(n.pairs).toBe(2);
    expect(n.withinOneSe).toBeGreaterThan(0.7);
    expect(n.withinOneSe).toBeLessThan(0.8);
    expect(n.worstZ.median).toBe(0);
    expect(n.worstZ.p90).toBe(Infinity);
    // Seeded: the same pairings again.
    expect(seedNoise(results(gp, 1), 'gp', { pairings: 2000, seed: 7 })).toEqual(n);
  });

  it('has no reference with one seed per task', () => {
    expect(seedNoise(results([curve('a', 1, [0.1]), curve('b', 1, [0.2])], 1), 'gp')).toBeNull();
  });

  it('finds the worst budget and counts the budgets beyond 1 SE', () => {
    const pairs = [
      [curve('a', 1, [0.5, 0.5, 0.5]), curve('a', 2, [0.6, 0.5, 0.4])],
      [curve('b', 1, [0.5, 0.5, 0.5]), curve('b', 2, [0.8, 0.5, 0.5])],
    ] as const;
    // Budget 1: differences 0.1, 0.3 → mean 0.2, SE 0.1 → z 2. Budget 2: none → 0. Budget 3: −0.1, 0 → z −1.
    const e = pairedExtremes(pairs, 3);
    expect(e.worstZ).toBeCloseTo(2, 12);
    expect(e.beyond).toBe(1);
  });
});
