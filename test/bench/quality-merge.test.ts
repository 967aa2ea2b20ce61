import { describe, expect, it } from 'vitest';
import { averageRanks, summarize, trialsToTarget } from '../../bench/quality/metrics.ts';
import { mergeResults } from '../../bench/quality/merge.ts';
import type { Curve, QualityResults } from '../../bench/quality/schema.ts';

const curve = (task: string, seed: number, regret: number[]): Curve => ({ task, seed, incumbent: regret.map((r) => 1 - r), regret });

function run(curves: Record<string, Curve[]>, over: Partial<QualityResults['protocol']> = {}): QualityResults {
  const budgets = [1, 2];
  return {
    format: 'quality/1',
    suite: 's',
    methods: Object.keys(curves),
    budgets,
    protocol: { budget: 2, seeds: [1], priorTrials: 10, shufflePriors: false, viaService: false, tasks: ['a', 'b'], skipped: [], ...over },
    summary: summarize(curves, budgets),
    ranks: averageRanks(curves, budgets),
    trialsToTarget: trialsToTarget(curves, 'optuna-tpe'),
    curves,
  };
}

describe('quality-merge', () => {
  const tpe = [curve('a', 1, [0.5, 0.2]), curve('b', 1, [0.4, 0.4])];
  const oldTransfer = [curve('a', 1, [0.9, 0.9]), curve('b', 1, [0.9, 0.9])];
  const newTransfer = [curve('a', 1, [0.1, 0]), curve('b', 1, [0.3, 0.1])];

  it('equals one run of all the methods: later files replace a method, service runs get a suffix', () => {
    const merged = mergeResults([
      run({ 'optuna-tpe': tpe, transfer: oldTransfer }),
      run({ transfer: newTransfer }),
      run({ transfer: newTransfer }, { viaService: true }),
    ]);
    const all = { 'optuna-tpe': tpe, transfer: newTransfer, 'transfer-service': newTransfer };
    expect(merged.methods).toEqual(['optuna-tpe', 'transfer', 'transfer-service']);
    expect(merged.summary).toEqual(summarize(all, [1, 2]));
    expect(merged.ranks).toEqual(averageRanks(all, [1, 2]));
    expect(merged.trialsToTarget).toEqual(trialsToTarget(all, 'optuna-tpe'));
    expect(merged.summary.transfer!['2']).toBeCloseTo(0.05);
  });

  it('refuses runs of another protocol or other (task, seed) pairs', () => {
    expect(() => mergeResults([run({ transfer: newTransfer }), run({ gp: newTransfer }, { priorTrials: 20 })])).toThrow(/priorTrials/);
    expect(() => mergeResults([run({ transfer: newTransfer }), run({ gp: [newTransfer[1]!, newTransfer[0]!] })])).toThrow(/other \(task, seed\) pairs/);
  });
});
