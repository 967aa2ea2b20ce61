import { ExperimentOptimizer, PriorMemos } from '../../optimizers/experiment-optimizer.ts';
import type { Suggestion, SuggestRequest } from '../../optimizers/schema.ts';
import { remember } from './recent.ts';

export interface OptimizerRunnerOptions {
  /** Experiments whose optimizer (with its own memo) is kept. */
  maxExperiments: number;
  /** Fitted prior models kept (one per prior experiment and search-space projection). */
  maxPriorModels: number;
}

/**
 * The optimizers of the experiments this thread serves, and the prior memos they share: the only
 * object that holds them, in whichever thread it runs (the service's, for light calls, and one per
 * worker thread, see optimizer-pool.ts). An optimizer suggests what a cold call suggests, so which
 * runner serves a call never changes its suggestions.
 */
export class OptimizerRunner {
  private readonly priors: PriorMemos;
  /** Per experiment, least recently used first. */
  private readonly experiments = new Map<string, ExperimentOptimizer>();

  constructor(private readonly opts: OptimizerRunnerOptions) {
    this.priors = new PriorMemos(opts.maxPriorModels);
  }

  /** The optimizer's suggestions for one experiment (`experimentKey` picks its optimizer). */
  run(experimentKey: string, request: SuggestRequest): Suggestion[] {
    const optimizer = this.experiments.get(experimentKey) ?? new ExperimentOptimizer(this.priors);
    return remember(this.experiments, experimentKey, optimizer, this.opts.maxExperiments).suggest(request);
  }

  /** Drops the experiments' optimizers (their histories may have been replaced); prior fits stay. */
  forgetExperiments(): void {
    this.experiments.clear();
  }
}
