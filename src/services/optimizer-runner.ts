import { trimMemos, type ConfigMemo, type ModelCache, type ObservationMemo, type PriorMemo } from '../../optimizers/cache.ts';
import type { Suggestion, SuggestRequest } from '../../optimizers/schema.ts';
import { suggest } from '../../optimizers/suggest.ts';

/**
 * Optimizer memos kept across experiments beyond the prior models (see trimMemos): per set of priors
 * (portfolio candidates, loss and mean rows; three per set, up to megabytes each), and per prior
 * version (losses and means by configuration; two per prior).
 */
const MAX_PRIOR_SET_MEMOS = 48;
const MAX_PRIOR_VALUE_MEMOS = 400;

export interface OptimizerRunnerOptions {
  /** Experiments whose own memo (SuggestOptions.targetCache) is kept. */
  maxExperiments: number;
  /** Fitted prior models kept (one per prior experiment and search-space projection). */
  maxPriorModels: number;
}

/**
 * Calls the optimizer with the memos it may keep between calls, and owns them: the only object that
 * holds them, in whichever thread it runs (the service's, for light calls, and one per worker thread,
 * see optimizer-pool.ts). Every memo's hit equals recomputing, so which runner serves a call never
 * changes its suggestions.
 */
export class OptimizerRunner {
  /**
   * Prior-model fits, shared by all experiments: entries are keyed by the prior's data, and a hit
   * equals a cold refit, so suggestions stay a pure function of the request.
   */
  private readonly priorModels: ModelCache = new Map();
  /** Prior objects already validated and projected (see PriorMemo): the service's history copies hand the same objects back. */
  private readonly priorMemo: PriorMemo = new WeakMap();
  /** Target configurations already validated, keyed and encoded (see ConfigMemo). */
  private readonly configMemo: ConfigMemo = new WeakMap();
  /** Target observations already validated (see ObservationMemo). */
  private readonly observationMemo: ObservationMemo = new WeakMap();
  /** Per-experiment memos (see SuggestOptions.targetCache), oldest first. */
  private readonly targetCaches = new Map<string, ModelCache>();

  constructor(private readonly opts: OptimizerRunnerOptions) {}

  /** The optimizer's suggestions for one experiment (`experimentKey` picks its own memo). */
  run(experimentKey: string, request: SuggestRequest): Suggestion[] {
    const targetCache = this.targetCaches.get(experimentKey) ?? new Map();
    this.targetCaches.delete(experimentKey);
    this.targetCaches.set(experimentKey, targetCache);
    while (this.targetCaches.size > this.opts.maxExperiments) this.targetCaches.delete(this.targetCaches.keys().next().value as string);
    try {
      return suggest(request, {
        cache: this.priorModels,
        priorMemo: this.priorMemo,
        configMemo: this.configMemo,
        observationMemo: this.observationMemo,
        targetCache,
      });
    } finally {
      // Target hyperparameters seed the next fit, so a warm entry would make results depend on
      // cache history; keep prior models only (a hit equals a refit).
      trimMemos(this.priorModels, [
        { kinds: ['target'], max: 0 },
        { kinds: ['rows', 'candidates'], max: MAX_PRIOR_SET_MEMOS },
        { kinds: ['values'], max: MAX_PRIOR_VALUE_MEMOS },
      ]);
      while (this.priorModels.size > this.opts.maxPriorModels) this.priorModels.delete(this.priorModels.keys().next().value as string);
    }
  }

  /** Drops the per-experiment memos (their experiments' histories may have been replaced); prior fits stay. */
  forgetExperiments(): void {
    this.targetCaches.clear();
  }
}
