import { describe, expect, it } from 'vitest';
import { differencesByTask, pairedDifferences, parsePairedArgs, unpairable } from '../../bench/quality/paired.ts';
import type { Curve, QualityResults } from '../../bench/quality/schema.ts';

const curve = (task: string, seed: number, regret: number[]): Curve => ({ task, seed, incumbent: regret.map((r) => 1 - r), regret });

function results(curves: Record<string, Curve[]>): QualityResults {
  return {
    format: 'quality/1',
    suite: 's',
    methods: Object.keys(curves),
    budgets: [1, 2],
    protocol: { budget: 2, seeds: [1, 2], priorTrials: 10, shufflePriors: false, viaService: false, tasks: ['a', 'b'], skipped: [] },
    summary: {},
    ranks: {},
    trialsToTarget: {},
    curves,
  };
}

describe('quality-paired', () => {
  it('pairs runs by task and seed, whatever their order, and gives the mean difference with its standard error', () => {
    const r = results({
      x: [curve('a', 1, [0.5, 0.2]), curve('a', 2, [0.4, 0.4]), curve('b', 1, [0.3, 0.1])],
      // listed in another order, and one run x does not have
      y: [curve('b', 1, [0.1, 0.1]), curve('a', 2, [0.4, 0.1]), curve('a', 1, [0.2, 0.2]), curve('c', 1, [0, 0])],
    });
    const [at1, at2] = pairedDifferences(r, 'x', 'y');
    // differences at 1: a1 −0.3, a2 0, b1 −0.2 → mean −1/6; sd of (−0.3, 0, −0.2) = 0.1528
    expect(at1!.pairs).toBe(3);
    expect(at1!.meanDiff).toBeCloseTo(-0.5 / 3, 12);
    expect(at1!.standardError).toBeCloseTo(Math.sqrt(((-0.3 + 0.5 / 3) ** 2 + (0.5 / 3) ** 2 + (-0.2 + 0.5 / 3) ** 2) / 2 / 3), 12);
    expect(at1!.identical).toBe(1);
    // differences at 2: 0, −0.3, 0
    expect(at2!.meanDiff).toBeCloseTo(-0.1, 12);
    expect(at2!.identical).toBe(2);
  });

  it('gives the differences per task at one budget, the task with the largest total first', () => {
    const r = results({
      x: [curve('a', 1, [0.5, 0.2]), curve('a', 2, [0.4, 0.4]), curve('b', 1, [0.3, 0.1]), curve('b', 2, [0.3, 0.1])],
      y: [curve('b', 2, [0.1, 0.3]), curve('a', 2, [0.4, 0.1]), curve('a', 1, [0.2, 0.2]), curve('b', 1, [0.1, 0.1])],
    });
    const [first, second] = differencesByTask(r, 'x', 'y', 2);
    // At 2: b has +0.2 (seed 2) and 0 (seed 1); a has 0 (seed 1) and −0.3 (seed 2).
    expect(first).toMatchObject({ task: 'b', runs: 2, worse: 1, better: 0 });
    expect(first!.diffs[0]).toBeCloseTo(0, 12);
    expect(first!.diffs[1]).toBeCloseTo(0.2, 12);
    expect(first!.meanDiff).toBeCloseTo(0.1, 12);
    expect(second).toMatchObject({ task: 'a', runs: 2, worse: 0, better: 1 });
    expect(second!.meanDiff).toBeCloseTo(-0.15, 12);
  });

  it('reads --by-task before, between or after the files and methods, as --by-task N or --by-task=N, and refuses a budget that is not a positive integer', () => {
    expect(parsePairedArgs(['r.json', 'gp', 'transfer'])).toEqual({ positionals: ['r.json', 'gp', 'transfer'], byTask: undefined });
    expect(parsePairedArgs(['--by-task', '10', 'r.json', 'gp', 'transfer'])).toEqual({ positionals: ['r.json', 'gp', 'transfer'], byTask: 10 });
    expect(parsePairedArgs(['r.json', 'gp', '--by-task=7', 'b.json', 'transfer']).byTask).toBe(7);
    for (const bad of ['x', '0', '2.5', '-1'])
      expect(() => parsePairedArgs(['r.json', 'gp', 'transfer', `--by-task=${bad}`])).toThrow(/--by-task needs a budget/);
    expect(() => parsePairedArgs(['r.json', 'gp', 'transfer', '--by-task'])).toThrow(/by-task/);
  });

  it('says which method is missing, and refuses methods that share no run', () => {
    const r = results({ x: [curve('a', 1, [0.5, 0.2])], y: [curve('b', 1, [0.1, 0.1])] });
    expect(() => pairedDifferences(r, 'x', 'z')).toThrow(/"z" is not in the results/);
    expect(() => pairedDifferences(r, 'x', 'y')).toThrow(/share no \(task, seed\) run/);
  });

  it('pairs a method of one run with a method of another run of the same protocol (two builds), and refuses runs whose priors differ', () => {
    const before = results({ transfer: [curve('a', 1, [0.5, 0.2]), curve('b', 1, [0.3, 0.1])] });
    const after = results({ transfer: [curve('b', 1, [0.1, 0.1]), curve('a', 1, [0.5, 0.0])] });
    const [at1, at2] = pairedDifferences(before, 'transfer', 'transfer', [1, 2], after);
    expect(at1!.meanDiff).toBeCloseTo(-0.1, 12);
    expect(at2!.meanDiff).toBeCloseTo(-0.1, 12);
    expect(unpairable(before, after)).toBeNull();
    expect(unpairable(before, { ...after, suite: 't' })).toMatch(/different suites/);
    expect(unpairable(before, { ...after, protocol: { ...after.protocol, priorExperiments: 1 } })).toMatch(/differ in priorExperiments/);
  });
});
