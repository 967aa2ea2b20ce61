import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import type { Trial, WarmStart } from '../../graph/model.ts';
import {
  claimQueued,
  eventSeqs,
  markStale,
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
  /** Experiments whose prior models are kept in memory. */
  maxCachedExperiments: number;
}

const DEFAULTS: SuggestionServiceOptions = { staleAfterSeconds: 3600, priorChoiceTtlMs: 30_000, maxCachedExperiments: 200 };

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
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Prior-model fits only: they equal a cold refit, so suggestions stay a pure function of the snapshot. */
  private readonly modelCaches = new Map<string, ModelCache>();
  private readonly priorHistories = new Map<string, { seq: number; history: ExperimentHistory }>();
  private readonly priorChoices = new Map<string, { at: number; key: string; priors: { id: string; similarity: number | null }[] }>();

  constructor(
    private readonly graph: Graph,
    opts: Partial<SuggestionServiceOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  private serialize<T>(experimentId: string, work: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(experimentId) ?? Promise.resolve();
    const next = prev.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(experimentId, settled);
    void settled.then(() => {
      if (this.queues.get(experimentId) === settled) this.queues.delete(experimentId);
    });
    return next;
  }

  /** Forgets the cached prior choice, e.g. after the warm-start settings changed. */
  forget(experimentId: string): void {
    this.priorChoices.delete(experimentId);
  }

  suggest(projectId: string, experimentId: string, count: number): Promise<Trial[]> {
    return this.serialize(experimentId, async () => {
      if (this.opts.staleAfterSeconds > 0) await markStale(this.graph, projectId, experimentId, this.opts.staleAfterSeconds);
      const claimed = await claimQueued(this.graph, projectId, experimentId, count);
      if (claimed.length >= count) return claimed;
      const target = await readHistory(this.graph, projectId, experimentId);
      const maxTrials = target.experiment.budget.maxTrials;
      let wanted = count - claimed.length;
      if (maxTrials !== undefined) {
        const left = maxTrials - target.experiment.trialCount;
        if (left <= 0) {
          if (claimed.length) return claimed;
          throw new ConflictError(`the experiment's budget of ${maxTrials} trials is used up; raise budget.maxTrials or finish it`, { maxTrials });
        }
        wanted = Math.min(wanted, left);
      }
      const fresh = await this.compute(projectId, target, wanted);
      return [...claimed, ...fresh];
    });
  }

  private async compute(projectId: string, target: ExperimentHistory, count: number): Promise<Trial[]> {
    const e = target.experiment;
    const chosen = await this.choosePriors(projectId, target);
    const priors = await this.loadPriors(projectId, chosen.map((c) => c.id));
    const snapshot: Omit<Snapshot, 'batchIndex' | 'batchSize'> = {
      seq: target.eventSeq,
      seed: deriveSeed(e.seed, target.eventSeq),
      priors: chosen.filter((c) => priors.has(c.id)).map((c) => ({ experimentId: c.id, seq: priors.get(c.id)?.eventSeq ?? 0, similarity: c.similarity })),
      settings: SettingsSchema.parse(e.optimizer),
      warmStartMode: e.warmStart.mode,
    };
    const request = buildRequest(target, priors, { ...snapshot, batchIndex: 0, batchSize: count }, count);
    const cache = this.modelCaches.get(e.id) ?? remember(this.modelCaches, e.id, new Map(), this.opts.maxCachedExperiments);
    const suggestions = suggest(request, { cache });
    // Target hyperparameters seed the next fit, so a warm entry would make results depend on
    // cache history; keep prior models only (a hit equals a refit).
    for (const [k, v] of cache) if (v.kind === 'target') cache.delete(k);

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
    return recordSuggestions(this.graph, projectId, e.id, items, [...uses.values()]);
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
