import { Lru } from '../../optimizers/cache.ts';
import { ExperimentOptimizer, PriorMemos } from '../../optimizers/experiment-optimizer.ts';
import type { Suggestion, SuggestRequest } from '../../optimizers/schema.ts';

export interface OptimizerRunnerOptions {
  /** Experiments whose optimizer (with its own memo) is kept. */
  maxExperiments: number;
  /** Fitted prior models kept (one per prior experiment and search-space projection). */
  maxPriorModels: number;
}

/**
 * The optimizers of the experiments an optimizer thread serves (see optimizer-pool.ts), and the prior
 * memos they share: the only object that holds them in that thread. On the event loop each
 * experiment's optimizer is kept in its ExperimentState instead. An optimizer suggests what a cold
 * call suggests, so where a call runs never changes its suggestions.
 */
export class OptimizerRunner {
  private readonly priors: PriorMemos;
  private readonly experiments: Lru<string, ExperimentOptimizer>;

  constructor(opts: OptimizerRunnerOptions) {
    this.priors = new PriorMemos(opts.maxPriorModels);
    this.experiments = new Lru(opts.maxExperiments);
  }

  /** The optimizer's suggestions for one experiment (`experimentKey` picks its optimizer). */
  run(experimentKey: string, request: SuggestRequest): Suggestion[] {
    let optimizer = this.experiments.get(experimentKey);
    if (!optimizer) this.experiments.set(experimentKey, (optimizer = new ExperimentOptimizer(this.priors)));
    return optimizer.suggest(request);
  }

  /** Drops the experiments' optimizers (their histories may have been replaced); prior fits stay. */
  forgetExperiments(): void {
    this.experiments.clear();
  }
}
