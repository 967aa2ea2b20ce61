// What a benchmarked method is: given one look-up task, its priors and a seed, the rows it evaluates in order.
import type { ModelCache, PriorExperiment } from '../../optimizers/index.ts';
import type { TabularTask } from '../tabular/task.ts';

export type RunContext = {
  table: TabularTask;
  budget: number;
  seed: number;
  /** The other tasks, as drawn for this (target, seed); identical for every method. */
  priors: PriorExperiment[];
  metaFeatures: Record<string, number> | null;
  /** Prior-model fits for this (target, seed), shared by the methods that use priors. */
  cache: ModelCache;
};

export interface Method {
  readonly name: string;
  /** Row indices of `ctx.table` in evaluation order, at most `ctx.budget`, no repeats. */
  run(ctx: RunContext): Promise<number[]>;
  close?(): Promise<void>;
}
