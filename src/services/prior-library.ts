import type { Graph } from '../../graph/driver.ts';
import type { WarmStart } from '../../graph/model.ts';
import { Lru } from '../../optimizers/cache.ts';
import { eventSeqs, readHistories, type ExperimentHistory } from '../../graph/repositories/history.ts';
import { metricsOfModel } from '../../graph/repositories/similar.ts';
import { cacheLookup } from '../metrics.ts';
import type { MetaFeatureRanges } from '../similarity/meta-feature-ranges.ts';
import { rankSimilarExperiments } from '../similarity/rank.ts';
import type { ExperimentState } from './experiment-state.ts';
import type { PriorSeqs } from './history-copy.ts';
import { visibleProjects } from './visible-projects.ts';

/**
 * Chooses the prior experiments an experiment learns from (the choice is kept in its
 * ExperimentState), and owns the copies of prior histories, shared by every experiment that learns
 * from them. A choice (a similarity search) is reused for `choiceTtlMs`; a prior's history is read
 * again only when its event number moved, and concurrent asks needing the same prior version share
 * one read. History objects are never mutated (a new version is a new object), which the optimizer's
 * prior memo and the threads' resident priors rely on.
 */
export class PriorLibrary {
  /** Prior histories by experiment, the least recently used dropped beyond `maxHistories`. */
  private readonly histories: Lru<string, { seq: number; history: ExperimentHistory }>;
  /** Prior histories being read, so concurrent requests needing the same prior share one read. */
  private readonly reads = new Map<string, Promise<unknown>>();

  /** `ranges`: the scale of the similarity searches that choose priors, the process's one (the similarity routes use it too). */
  constructor(
    private readonly graph: Graph,
    private readonly ranges: MetaFeatureRanges,
    private readonly opts: { maxHistories: number; choiceTtlMs: number },
  ) {
    this.histories = new Lru(opts.maxHistories);
  }

  /** Drops every copy (the graph may have been replaced). */
  forget(): void {
    this.histories.clear();
  }

  /** Which prior experiments to learn from, per the experiment's warm-start settings; kept as `state.choice`. */
  async choose(projectId: string, target: ExperimentHistory, state: ExperimentState): Promise<{ id: string; similarity: number | null }[]> {
    const e = target.experiment;
    const ws: WarmStart = e.warmStart;
    if (ws.mode === 'off') {
      // Nothing chosen, and nothing to explain (a note from an earlier automatic choice would be stale).
      state.choice = null;
      return [];
    }
    const exclude = new Set([e.id, ...ws.exclude]);
    const settings = JSON.stringify(ws);
    if (ws.mode === 'explicit') {
      const priors = ws.experiments.filter((id) => !exclude.has(id)).map((id) => ({ id, similarity: null }));
      // Kept like a similarity search's choice, only so that the next history read brings these
      // priors' event sequence numbers along (see SuggestionService.history()); the list is rebuilt every time.
      state.choice = { at: Date.now(), settings, priors };
      return priors;
    }
    const cached = state.choice;
    if (cached && cached.settings === settings && Date.now() - cached.at < this.opts.choiceTtlMs) {
      cacheLookup('prior_choice', 1, 0);
      return cached.priors;
    }
    cacheLookup('prior_choice', 0, 1);
    const ranked = await rankSimilarExperiments(
      this.graph,
      projectId,
      {
        metaFeatures: target.metaFeatures,
        model: e.model.name,
        metric: e.objective.metric,
        searchSpace: e.searchSpace.map((p) => p.name),
        minOverlap: Number.EPSILON,
        excludeIds: [...exclude],
        minCompleted: 1,
        weighOverlap: true,
        k: ws.maxPriors,
      },
      this.ranges,
    );
    const priors = ranked.map((r) => ({ id: r.experiment.id, similarity: r.similarity }));
    const note = priors.length === 0 ? await this.whyNone(projectId, e.model.name, e.objective.metric, [...exclude]) : null;
    state.choice = { at: Date.now(), settings, priors, ...(note ? { note } : {}) };
    return priors;
  }

  /**
   * Why an automatic choice found no prior, when the metric explains it: experiments of the same model
   * have results under other metric names. The common case is an Optuna study, whose metric is the
   * default `objective` unless it is named.
   */
  private async whyNone(projectId: string, model: string, metric: string, exclude: string[]): Promise<string | null> {
    const metrics = await metricsOfModel(this.graph, await visibleProjects(this.graph, projectId), model, exclude);
    // With results under its own metric too, something else left the choice empty (no shared parameter).
    if (metrics.length === 0 || metrics.some((m) => m.metric === metric)) return null;
    const count = metrics.reduce((n, m) => n + m.experiments, 0);
    const names = metrics.map((m) => `'${m.metric}'`).join(', ');
    return `no warm start: no past experiment of model '${model}' with metric '${metric}' has results, but ${count} with metric ${names} do; an experiment created with their metric learns from them (Python client: objective=(metric, direction), or PrecedentSampler(metric=...))`;
  }

  /** Prior histories, re-read only when a prior's event sequence moved on. */
  async load(projectId: string, ids: string[], known: PriorSeqs): Promise<Map<string, ExperimentHistory>> {
    const out = new Map<string, ExperimentHistory>();
    if (ids.length === 0) return out;
    const seqs = ids.every((id) => known.asked.has(id)) ? known.seqs : await eventSeqs(this.graph, known.projects, ids);
    const stale = ids.filter((id) => seqs.has(id) && this.histories.get(id)?.seq !== seqs.get(id));
    cacheLookup('prior_history', ids.length - stale.length, stale.length);
    if (stale.length) {
      // Many experiments warm-starting from the same priors ask at once: one read per prior and version.
      const readKey = (id: string) => `${projectId}/${id}@${seqs.get(id)}`;
      const missing = stale.filter((id) => !this.reads.has(readKey(id)));
      if (missing.length) {
        const reading = readHistories(this.graph, known.projects, missing, true).then((fresh) => {
          for (const [id, history] of fresh) this.histories.set(id, { seq: history.eventSeq, history });
        });
        for (const id of missing) this.reads.set(readKey(id), reading);
        void reading
          .catch(() => undefined)
          .finally(() => {
            for (const id of missing) if (this.reads.get(readKey(id)) === reading) this.reads.delete(readKey(id));
          });
      }
      await Promise.all([...new Set(stale.map((id) => this.reads.get(readKey(id))))]);
    }
    for (const id of ids) {
      const h = this.histories.get(id);
      if (h && seqs.has(id)) out.set(id, h.history);
    }
    return out;
  }
}
