// The optimizer as a long-running caller holds it: one ExperimentOptimizer per target experiment,
// all sharing one bounded PriorMemos. Both are only shortcuts: an ExperimentOptimizer suggests
// exactly what suggest() suggests for the same request without any memo (a cold build), which
// test/optimizers/experiment-optimizer.test.ts checks through random sequences of asks and results.
import { ModelCache, type ConfigMemo, type ObservationMemo, type PriorMemo } from './cache.ts';
import type { Suggestion, SuggestRequest } from './schema.ts';
import { suggest } from './suggest.ts';
import { TargetMemo } from './target-memo.ts';

/**
 * What every experiment's calls share: the ModelCache (prior-model fits and the numbers computed
 * from them, each kind bounded on its own), and the validated priors, configurations and
 * observations of the caller's objects (by identity; they go when the caller drops its objects).
 */
export class PriorMemos {
  readonly cache: ModelCache;
  readonly priorMemo: PriorMemo = new WeakMap();
  readonly configMemo: ConfigMemo = new WeakMap();
  readonly observationMemo: ObservationMemo = new WeakMap();

  /** `maxPriorModels`: fitted prior models (and prior projections) kept, one per prior version and target space. */
  constructor(maxPriorModels: number) {
    this.cache = new ModelCache({ fits: maxPriorModels, projections: maxPriorModels });
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
    return suggest(request, { cache, priorMemo, configMemo, observationMemo, targetMemo: this.memo });
  }
}
