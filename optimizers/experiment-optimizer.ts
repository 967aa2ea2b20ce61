// The optimizer as a long-running caller holds it: one ExperimentOptimizer per target experiment,
// all sharing one bounded PriorMemos. Both are only shortcuts: an ExperimentOptimizer suggests
// exactly what suggest() suggests for the same request without any memo (a cold build), which
// test/optimizers/experiment-optimizer.test.ts checks through random sequences of asks and results.
import { trimMemos, type ConfigMemo, type ModelCache, type ObservationMemo, type PriorMemo } from './cache.ts';
import type { Suggestion, SuggestRequest } from './schema.ts';
import { suggest } from './suggest.ts';
import { TargetMemo } from './target-memo.ts';

/**
 * Memos kept beyond the prior models: per set of priors (portfolio candidates, loss and mean rows;
 * three per set, up to megabytes each), and per prior version (losses and means by configuration;
 * two per prior).
 */
const MAX_PRIOR_SET_MEMOS = 48;
const MAX_PRIOR_VALUE_MEMOS = 400;

/**
 * What every experiment's calls share, bounded: prior-model fits and the numbers computed from
 * them (keyed by the prior's data, so a hit equals a refit), and the validated priors,
 * configurations and observations of the caller's objects (by identity; they go when the caller
 * drops its objects).
 */
export class PriorMemos {
  readonly cache: ModelCache = new Map();
  readonly priorMemo: PriorMemo = new WeakMap();
  readonly configMemo: ConfigMemo = new WeakMap();
  readonly observationMemo: ObservationMemo = new WeakMap();

  /** `maxPriorModels`: entries kept in `cache` in all (one fitted model per prior version and space, and the memos above). */
  constructor(private readonly maxPriorModels: number) {}

  /** Brings the memos back within their bounds, oldest first; after every call. */
  trim(): void {
    trimMemos(this.cache, [
      // Target hyperparameters seed the next fit within a call; kept across calls they would make
      // results depend on what ran before (the request's targetHyperparameters carry them instead).
      { kinds: ['target'], max: 0 },
      { kinds: ['rows', 'candidates'], max: MAX_PRIOR_SET_MEMOS },
      { kinds: ['values'], max: MAX_PRIOR_VALUE_MEMOS },
    ]);
    while (this.cache.size > this.maxPriorModels) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/**
 * One target experiment's optimizer: its own memo of the work that follows its results from call
 * to call (TargetMemo), and the shared prior memos. Requests are the whole history each time; what
 * changed since the last one is found by object identity and by the memos' keys, so a caller keeps
 * nothing in step with it.
 */
export class ExperimentOptimizer {
  private readonly memo = new TargetMemo();

  constructor(private readonly shared: PriorMemos) {}

  suggest(request: SuggestRequest): Suggestion[] {
    const { cache, priorMemo, configMemo, observationMemo } = this.shared;
    try {
      return suggest(request, { cache, priorMemo, configMemo, observationMemo, targetMemo: this.memo });
    } finally {
      this.shared.trim();
    }
  }
}
