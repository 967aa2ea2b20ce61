// The scoring of the quality benchmark on hand-made tables, where every figure can be checked by hand.
import { describe, expect, it } from 'vitest';
import { averageRanks, curveOf, ranksOf, reportBudgets, trialsToTarget, type Curve } from '../../bench/quality/metrics.ts';
import { drawPriors } from '../../bench/tabular/priors.ts';
import { RowSnapper, tabularTask } from '../../bench/tabular/task.ts';
import type { Suite, SuiteTask } from '../../src/suites.ts';

const task = (id: string, values: number[], direction: 'maximize' | 'minimize'): SuiteTask => ({
  id,
  name: id,
  metaFeatures: null,
  best: direction === 'maximize' ? Math.max(...values) : Math.min(...values),
  worst: direction === 'maximize' ? Math.min(...values) : Math.max(...values),
  configs: values.map((_, i) => [i]),
  values,
});
const suite = (tasks: SuiteTask[], direction: 'maximize' | 'minimize' = 'minimize'): Suite => ({
  format: 'suite/1',
  name: 'toy',
  description: '',
  objective: { name: 'loss', direction },
  searchSpace: [{ name: 'x', type: 'int', low: 0, high: 9, log: false }],
  metaFeatureNames: [],
  tasks,
});

describe('quality metrics', () => {
  it('incumbent regret is direction-aware and non-increasing, and a short run keeps its last value', () => {
    const min = curveOf(task('a', [4, 2, 0, 8], 'minimize'), 'minimize', 1, [3, 1, 0], 4);
    expect(min.incumbent).toEqual([8, 2, 2, 2]);
    expect(min.regret).toEqual([1, 0.25, 0.25, 0.25]);
    const max = curveOf(task('b', [4, 2, 0, 8], 'maximize'), 'maximize', 1, [2, 0, 3], 3);
    expect(max.regret).toEqual([1, 0.5, 0]);
  });

  it('ranks share ties and average over runs; trials-to-target follows the reference mean', () => {
    expect(ranksOf([0.3, 0.1, 0.3])).toEqual([2.5, 1, 2.5]);
    const c = (regret: number[]): Curve => ({ task: 't', seed: 1, incumbent: regret, regret });
    const curves = {
      fast: [c([0.5, 0.1, 0]), c([0.4, 0.2, 0.1])],
      ref: [c([0.6, 0.3, 0.2]), c([0.6, 0.3, 0.2])],
      slow: [c([0.9, 0.9, 0.5]), c([0.9, 0.9, 0.9])],
    };
    expect(averageRanks(curves, [1, 3])).toEqual({ fast: { '1': 1, '3': 1 }, ref: { '1': 2, '3': 2 }, slow: { '1': 3, '3': 3 } });
    expect(trialsToTarget(curves, 'ref')).toEqual({ fast: 2, ref: 3, slow: null });
    expect(trialsToTarget(curves, 'absent')).toEqual({ fast: null, ref: null, slow: null });
    expect(reportBudgets(30)).toEqual([1, 5, 10, 25, 30]);
    expect(reportBudgets(50)).toEqual([1, 5, 10, 25, 50]);
  });

  it('priors are the other tasks, seeded subsamples, identical for a seed; shuffling keeps the values but not their places', () => {
    const values = [5, 1, 7, 3, 9, 2, 8, 0, 6, 4];
    const s = suite([
      task('t', values, 'minimize'),
      task('p', values, 'minimize'),
      task(
        'q',
        values.map((v) => v * 2),
        'minimize',
      ),
    ]);
    const a = drawPriors(s, s.tasks[0]!, { priorTrials: 6, seed: 3 });
    expect(a.map((p) => p.id)).toEqual(['p', 'q']);
    expect(a[0]!.observations).toHaveLength(6);
    expect(drawPriors(s, s.tasks[0]!, { priorTrials: 6, seed: 3 })).toEqual(a);
    expect(drawPriors(s, s.tasks[0]!, { priorTrials: 6, seed: 4 })).not.toEqual(a);
    for (const o of a[0]!.observations) expect(o.value).toBe(values[o.config.x as number]);
    const shuffled = drawPriors(s, s.tasks[0]!, { priorTrials: 6, seed: 3, shuffle: true });
    expect(shuffled[0]!.observations.map((o) => o.config)).toEqual(a[0]!.observations.map((o) => o.config));
    expect(shuffled[0]!.observations.map((o) => o.value).sort()).toEqual(a[0]!.observations.map((o) => o.value).sort());
    expect(shuffled.some((p, i) => p.observations.some((o, k) => o.value !== a[i]!.observations[k]!.value))).toBe(true);
  });

  it('snaps an off-table config to the nearest row not yet evaluated', () => {
    const s = suite([task('t', [0, 1, 2, 3], 'minimize')]);
    s.tasks[0]!.configs = [[0], [3], [6], [9]];
    const snap = new RowSnapper(tabularTask(s, s.tasks[0]!));
    expect(snap.nearest({ x: 5 }, new Set())).toBe(2);
    expect(snap.nearest({ x: 5 }, new Set([2]))).toBe(1);
    expect(() => snap.nearest({ x: 5 }, new Set([0, 1, 2, 3]))).toThrow(/every row/);
  });
});
