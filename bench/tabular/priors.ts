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
  /** How many other tasks are the history (`--prior-experiments`): 'all' (default) or K drawn by
   * `priorExperimentIds`. */
  priorExperiments?: PriorExperimentCount;
};

/** K other tasks as the history, or all of them. */
export type PriorExperimentCount = number | 'all';

/**
 * The ids of the other tasks that are the history of one (target, seed) run: all of them for 'all', else
 * the first K of a shuffle seeded by (seed, target) alone, so the draw is deterministic, never holds the
 * target, and nests (the tasks of K = 1 are among those of K = 2, …), which keeps the knowledge curve's
 * points paired. Returned in suite order.
 */
export function priorExperimentIds(suite: Suite, target: SuiteTask, k: PriorExperimentCount, seed: number): string[] {
  const others = suite.tasks.filter((t) => t.id !== target.id).map((t) => t.id);
  if (k === 'all') return others;
  if (!Number.isInteger(k) || k < 0) throw new Error(`prior experiments must be a non-negative integer or 'all' (got ${k})`);
  if (k > others.length) throw new Error(`${k} prior experiments asked for, but suite ${suite.name} has only ${others.length} other tasks`);
  const picked = new Set(
    Rng.from(seed, 'prior-experiments', target.id)
      .shuffle([...others])
      .slice(0, k),
  );
  return others.filter((id) => picked.has(id));
}

/** `--prior-experiments` as given: a non-negative integer or 'all'. */
export function parsePriorExperiments(v: string): PriorExperimentCount {
  if (v === 'all') return 'all';
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n)) throw new Error(`--prior-experiments must be a non-negative integer or 'all' (got '${v}')`);
  return n;
}

export function drawPriors(suite: Suite, target: SuiteTask, opts: PriorOptions): PriorExperiment[] {
  const ids = new Set(priorExperimentIds(suite, target, opts.priorExperiments ?? 'all', opts.seed));
  return suite.tasks
    .filter((t) => ids.has(t.id))
    .map((t) => {
      const rng = Rng.from(opts.seed, 'priors', target.id, t.id);
      const rows = rng.shuffle(t.values.map((_, i) => i)).slice(0, Math.min(opts.priorTrials, t.values.length));
      rows.sort((a, b) => a - b);
      let values = rows.map((r) => t.values[r]!);
      if (opts.shuffle) values = new Rng(deriveSeed(opts.seed, 'shuffle', target.id, t.id)).shuffle(values);
      return taskAsPrior(suite, t, values, rows);
    });
}
