// The prior experiments of one leave-one-task-out run: every other task, each with a seeded subsample of
// its rows. Drawn once per (target, seed) so every method sees exactly the same history.
import { deriveSeed, Rng, type PriorExperiment } from '../../optimizers/index.ts';
import type { Suite, SuiteTask } from '../../src/suites.ts';
import { taskAsPrior } from './task.ts';

export type PriorOptions = {
  /** Evaluations per prior task (all rows when the table is smaller). */
  priorTrials: number;
  seed: number;
  /** Permute each prior's values over its drawn configs: history that looks real but says nothing about
   * where good configs are (the negative-transfer test). */
  shuffle?: boolean;
};

export function drawPriors(suite: Suite, target: SuiteTask, opts: PriorOptions): PriorExperiment[] {
  return suite.tasks
    .filter((t) => t.id !== target.id)
    .map((t) => {
      const rng = Rng.from(opts.seed, 'priors', target.id, t.id);
      const rows = rng.shuffle(t.values.map((_, i) => i)).slice(0, Math.min(opts.priorTrials, t.values.length));
      rows.sort((a, b) => a - b);
      let values = rows.map((r) => t.values[r]!);
      if (opts.shuffle) values = new Rng(deriveSeed(opts.seed, 'shuffle', target.id, t.id)).shuffle(values);
      return taskAsPrior(suite, t, values, rows);
    });
}
