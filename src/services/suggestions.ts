import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import type { Trial, WarmStart } from '../../graph/model.ts';
import {
  claimQueued,
  eventSeqs,
  markStale,
  notRunning,
  readHistories,
  readHistory,
  recordSuggestions,
  type ExperimentHistory,
  type PriorUse,
  type SuggestionWrite,
} from '../../graph/repositories/suggestions.ts';
import type { ModelCache } from '../../optimizers/cache.ts';
import { deriveSeed } from '../../optimizers/random.ts';
import { SettingsSchema, type SearchSpace } from '../../optimizers/schema.ts';
import { suggest } from '../../optimizers/suggest.ts';
import { rankSimilarExperiments } from '../similarity/rank.ts';
import { prepareConfig } from './configs.ts';
import { buildRequest, type Snapshot } from './history.ts';

export interface SuggestionServiceOptions {
  /** Running trials older than this become stale (no longer pending). 0 disables. */
  staleAfterSeconds: number;
  /** How long an experiment's choice of priors (a similarity search) is reused. */
  priorChoiceTtlMs: number;
  /** Experiments whose prior choice and histories are kept in memory. */
  maxCachedExperiments: number;
  /** Fitted prior models kept in memory (one per prior experiment and search-space projection). */
  maxCachedPriorModels: number;
}

const DEFAULTS: SuggestionServiceOptions = { staleAfterSeconds: 3600, priorChoiceTtlMs: 30_000, maxCachedExperiments: 200, maxCachedPriorModels: 2000 };

export interface SuggestResult {
  trials: Trial[];
  /** Milliseconds per phase, for the Server-Timing header. */
  timing: [string, number][];
  /** How many requests shared the optimizer call. */
  batched: number;
}

interface Waiter {
  count: number;
  attempts: number;
  resolve: (r: SuggestResult) => void;
  reject: (err: unknown) => void;
}

/** Largest combined batch; larger waiting sums are served over several batches. */
const MAX_BATCH = 64;
const MAX_ATTEMPTS = 3;

/** Wall-clock phases of one request; repeated phases add up. */
class Timing {
  readonly entries: [string, number][] = [];
  private last = performance.now();
  mark(phase: string): void {
    const now = performance.now();
    const hit = this.entries.find((e) => e[0] === phase);
    if (hit) hit[1] += now - this.last;
    else this.entries.push([phase, now - this.last]);
    this.last = now;
  }
}

/** Bounded insertion-ordered map: the oldest entry goes first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
  return value;
}

/**
 * Asks the optimizer for new configurations and records them. Requests for one experiment run
 * one at a time (suggestions depend on what is pending, and two concurrent computations from the
 * same history would propose the same configuration); different experiments run concurrently.
 * The computation happens outside any transaction; recording the batch is one transaction.
 */
export class SuggestionService {
  private readonly opts: SuggestionServiceOptions;
  private readonly waiting = new Map<string, { projectId: string; requests: Waiter[]; running: boolean }>();
  /**
   * Prior-model fits only, shared by all experiments: entries are keyed by the prior's data, and a
   * hit equals a cold refit, so suggestions stay a pure function of the snapshot.
   */
  private readonly priorModels: ModelCache = new Map();
  private readonly staleCheckedAt = new Map<string, number>();
  private readonly priorHistories = new Map<string, { seq: number; history: ExperimentHistory }>();
  private readonly priorChoices = new Map<string, { at: number; key: string; priors: { id: string; similarity: number | null }[] }>();

  constructor(
    private readonly graph: Graph,
    opts: Partial<SuggestionServiceOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /**
   * Requests for one experiment are served one batch at a time. Everything that arrived while a
   * batch was being computed is served together by the next one: one history read, one optimizer
   * call for the combined count (pending-aware batch suggestions), one write. Each caller gets its
   * own slice of the batch.
   */
  private enqueue(projectId: string, experimentId: string, count: number): Promise<SuggestResult> {
    return new Promise((resolve, reject) => {
      const q = this.waiting.get(experimentId) ?? { projectId, requests: [] as Waiter[], running: false };
      q.requests.push({ count, resolve, reject, attempts: 0 });
      this.waiting.set(experimentId, q);
      if (!q.running) void this.drain(experimentId, q);
    });
  }

  private async drain(experimentId: string, q: { projectId: string; requests: Waiter[]; running: boolean }): Promise<void> {
    q.running = true;
    while (q.requests.length) {
      const batch: Waiter[] = [];
      let total = 0;
      while (q.requests.length && (batch.length === 0 || total + (q.requests[0]?.count ?? 0) <= MAX_BATCH)) {
        const w = q.requests.shift() as Waiter;
        batch.push(w);
        total += w.count;
      }
      try {
        const result = await this.serve(q.projectId, experimentId, total);
        if (process.env.PRECEDENT_DEBUG_BATCHES) console.error(`[batch] ${experimentId} waiters ${batch.length} wanted ${total} got ${result.trials.length}`);
        let offset = 0;
        const again: Waiter[] = [];
        for (const w of batch) {
          const mine = result.trials.slice(offset, offset + w.count);
          offset += w.count;
          if (mine.length > 0) w.resolve({ trials: mine, timing: result.timing, batched: batch.length });
          else if (w.attempts < MAX_ATTEMPTS) again.push({ ...w, attempts: w.attempts + 1 });
          else w.reject(new ConflictError('every configuration left is already pending; complete some trials and ask again', {}));
        }
        // Callers left empty-handed (duplicates dropped, budget reached mid-batch) try the next batch.
        q.requests.unshift(...again);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    q.running = false;
    if (this.waiting.get(experimentId) === q) this.waiting.delete(experimentId);
  }

  /** Forgets the cached prior choice, e.g. after the warm-start settings changed. */
  forget(experimentId: string): void {
    this.priorChoices.delete(experimentId);
  }

  suggest(projectId: string, experimentId: string, count: number): Promise<SuggestResult> {
    return this.enqueue(projectId, experimentId, count);
  }

  private async serve(projectId: string, experimentId: string, count: number): Promise<Omit<SuggestResult, 'batched'>> {
    {
      const timing = new Timing();
      // Staleness moves slowly; checking it at most every tenth of the timeout keeps a write off the hot path.
      const staleEvery = (this.opts.staleAfterSeconds * 1000) / 10;
      if (this.opts.staleAfterSeconds > 0 && Date.now() - (this.staleCheckedAt.get(experimentId) ?? 0) >= staleEvery) {
        await markStale(this.graph, projectId, experimentId, this.opts.staleAfterSeconds);
        remember(this.staleCheckedAt, experimentId, Date.now(), this.opts.maxCachedExperiments * 10);
        timing.mark('stale');
      }
      let target = await readHistory(this.graph, projectId, experimentId);
      timing.mark('history');
      let claimed: Trial[] = [];
      if (target.trials.some((t) => t.state === 'queued')) {
        claimed = await claimQueued(this.graph, projectId, experimentId, count);
        timing.mark('claim');
        if (claimed.length >= count) return { trials: claimed, timing: timing.entries };
        target = await readHistory(this.graph, projectId, experimentId);
        timing.mark('history');
      }
      if (target.experiment.status !== 'running') throw notRunning(target.experiment.status);
      const maxTrials = target.experiment.budget.maxTrials;
      let wanted = count - claimed.length;
      if (maxTrials !== undefined) {
        const left = maxTrials - target.experiment.trialCount;
        if (left <= 0) {
          if (claimed.length) return { trials: claimed, timing: timing.entries };
          throw new ConflictError(`the experiment's budget of ${maxTrials} trials is used up; raise budget.maxTrials or finish it`, { maxTrials });
        }
        wanted = Math.min(wanted, left);
      }
      const fresh = await this.compute(projectId, target, wanted, timing);
      return { trials: [...claimed, ...fresh], timing: timing.entries };
    }
  }

  private async compute(projectId: string, target: ExperimentHistory, count: number, timing: Timing): Promise<Trial[]> {
    const e = target.experiment;
    const chosen = await this.choosePriors(projectId, target);
    timing.mark('choose-priors');
    const priors = await this.loadPriors(projectId, chosen.map((c) => c.id));
    timing.mark('load-priors');
    const snapshot: Omit<Snapshot, 'batchIndex' | 'batchSize'> = {
      seq: target.eventSeq,
      seed: deriveSeed(e.seed, target.eventSeq),
      priors: chosen.filter((c) => priors.has(c.id)).map((c) => ({ experimentId: c.id, seq: priors.get(c.id)?.eventSeq ?? 0, similarity: c.similarity })),
      settings: SettingsSchema.parse(e.optimizer),
      warmStartMode: e.warmStart.mode,
    };
    const request = buildRequest(target, priors, { ...snapshot, batchIndex: 0, batchSize: count }, count);
    const suggestions = suggest(request, { cache: this.priorModels });
    // Target hyperparameters seed the next fit, so a warm entry would make results depend on
    // cache history; keep prior models only (a hit equals a refit).
    for (const [k, v] of this.priorModels) if (v.kind === 'target') this.priorModels.delete(k);
    while (this.priorModels.size > this.opts.maxCachedPriorModels) this.priorModels.delete(this.priorModels.keys().next().value as string);
    timing.mark('optimize');

    const space = e.searchSpace as SearchSpace;
    const items: SuggestionWrite[] = suggestions.map((s, i) => {
      const { config, hash } = prepareConfig(space, s.config, 'suggestion.config');
      return {
        config,
        configHash: hash,
        strategy: s.provenance.strategy,
        reason: s.provenance.notes.join('; ') || null,
        provenance: { ...s.provenance, snapshot: { ...snapshot, batchIndex: i, batchSize: suggestions.length } },
        sources: s.provenance.sourceTrials.flatMap((t) => (t.trialId ? [{ trialId: t.trialId, weight: t.weight }] : [])),
      };
    });
    const uses = new Map<string, PriorUse>();
    for (const s of suggestions) {
      for (const p of s.provenance.priors) {
        const seen = uses.get(p.experimentId);
        if (!seen || p.weight > seen.weight) uses.set(p.experimentId, { experimentId: p.experimentId, similarity: p.similarity ?? null, weight: p.weight });
      }
    }
    const recorded = await recordSuggestions(this.graph, projectId, e.id, items, [...uses.values()]);
    timing.mark('record');
    return recorded;
  }

  /** Which prior experiments to learn from, per the experiment's warm-start settings. */
  private async choosePriors(projectId: string, target: ExperimentHistory): Promise<{ id: string; similarity: number | null }[]> {
    const e = target.experiment;
    const ws: WarmStart = e.warmStart;
    if (ws.mode === 'off') return [];
    const exclude = new Set([e.id, ...ws.exclude]);
    if (ws.mode === 'explicit') return ws.experiments.filter((id) => !exclude.has(id)).map((id) => ({ id, similarity: null }));
    const key = JSON.stringify(ws);
    const cached = this.priorChoices.get(e.id);
    if (cached && cached.key === key && Date.now() - cached.at < this.opts.priorChoiceTtlMs) return cached.priors;
    const ranked = await rankSimilarExperiments(this.graph, projectId, {
      metaFeatures: target.metaFeatures,
      model: e.model.name,
      metric: e.objective.metric,
      searchSpace: e.searchSpace.map((p) => p.name),
      minOverlap: Number.EPSILON,
      excludeIds: [...exclude],
      k: ws.maxPriors,
    });
    const priors = ranked.filter((r) => r.completedCount > 0).map((r) => ({ id: r.experiment.id, similarity: r.similarity }));
    remember(this.priorChoices, e.id, { at: Date.now(), key, priors }, this.opts.maxCachedExperiments);
    return priors;
  }

  /** Prior histories, re-read only when a prior's event sequence moved on. */
  private async loadPriors(projectId: string, ids: string[]): Promise<Map<string, ExperimentHistory>> {
    const out = new Map<string, ExperimentHistory>();
    if (ids.length === 0) return out;
    const seqs = await eventSeqs(this.graph, projectId, ids);
    const stale = ids.filter((id) => seqs.has(id) && this.priorHistories.get(id)?.seq !== seqs.get(id));
    if (stale.length) {
      const fresh = await readHistories(this.graph, projectId, stale, true);
      for (const [id, history] of fresh) remember(this.priorHistories, id, { seq: history.eventSeq, history }, this.opts.maxCachedExperiments * 20);
    }
    for (const id of ids) {
      const h = this.priorHistories.get(id);
      if (h && seqs.has(id)) out.set(id, h.history);
    }
    return out;
  }
}
