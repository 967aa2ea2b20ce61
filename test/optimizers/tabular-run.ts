// Driver for the tabular (look-up) optimizer tests: run the optimizer on one task of a suite, restricted
// to that task's configs, and report the normalised simple regret after each trial. The loop itself is
// bench/tabular/suggest-loop.ts, shared with the quality benchmark.
import type { ModelCache, PriorExperiment, Settings } from '../../optimizers/index.ts';
import { runSuggestLoop } from '../../bench/tabular/suggest-loop.ts';
import { metaFeatureRecord, normalizedRegret, tabularTask } from '../../bench/tabular/task.ts';
import type { Suite, Task } from '../helpers/suites.ts';

export type TabularRun = { regret: number[]; strategies: string[] };

export function runTabular(args: {
  suite: Suite;
  task: Task;
  budget: number;
  seed: number;
  priors?: PriorExperiment[];
  withMetaFeatures?: boolean;
  cache?: ModelCache;
  settings?: Settings;
}): TabularRun {
  const { suite, task } = args;
  const { rows, strategies } = runSuggestLoop({
    table: tabularTask(suite, task),
    budget: args.budget,
    seed: args.seed,
    ...(args.priors ? { priors: args.priors } : {}),
    ...(args.withMetaFeatures ? { metaFeatures: metaFeatureRecord(suite, task) } : {}),
    ...(args.cache ? { cache: args.cache } : {}),
    ...(args.settings ? { settingsAt: () => args.settings } : {}),
  });
  const sign = suite.objective.direction === 'maximize' ? 1 : -1;
  let best = -Infinity;
  const regret = rows.map((r) => {
    best = Math.max(best, sign * task.values[r]!);
    return normalizedRegret(task, sign * best);
  });
  return { regret, strategies };
}

export function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
