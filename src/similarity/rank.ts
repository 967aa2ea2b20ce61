import type { Graph } from '../../graph/driver.ts';
import { experimentSummaries, nearExperiments, type ExperimentSummary } from '../../graph/repositories/similar.ts';
import { metaFeatureSimilarities } from '../../optimizers/warmstart/similarity.ts';
import { visibleProjects } from '../services/visible-projects.ts';
import { metaFeatureEmbedding } from './embedding.ts';
import type { MetaFeatureRanges } from './meta-feature-ranges.ts';

export interface SimilarityQuery {
  metaFeatures?: Record<string, number> | null;
  model?: string;
  metric?: string;
  /** Parameter names of the search space to compare with; overlap is the share of these a prior also searches. */
  searchSpace?: string[];
  minOverlap?: number;
  excludeIds?: string[];
  /** Only experiments with at least this many completed trials, filtered in the search (a prior with none cannot teach anything, nor take a candidate's place). */
  minCompleted?: number;
  /**
   * Order by dataset similarity times search-space overlap instead of similarity first: a prior on the
   * same dataset that searched one of three parameters then ranks below one on a similar dataset that
   * searched all three. The warm start's order; the similarity routes list by similarity.
   */
  weighOverlap?: boolean;
  k: number;
}

export interface FeatureComparison {
  name: string;
  query: number;
  value: number;
}

export interface SimilarExperiment extends ExperimentSummary {
  similarity: number | null;
  reasons: {
    metaFeatures: { similarity: number; sharedFeatures: number; closest: FeatureComparison[]; farthest: FeatureComparison[] } | null;
    sameModel: boolean | null;
    sameObjective: boolean | null;
    searchSpaceOverlap: number | null;
    sharedParameters: string[];
  };
}

/** Datasets fetched from the vector index per result wanted: enough that re-ranking can reorder them. */
const CANDIDATES_PER_RESULT = 5;
const MIN_CANDIDATES = 50;

function overlapOf(query: string[] | undefined, params: string[]): { overlap: number | null; shared: string[] } {
  if (!query || query.length === 0) return { overlap: null, shared: [] };
  const mine = new Set(params);
  const shared = query.filter((p) => mine.has(p));
  return { overlap: shared.length / query.length, shared };
}

/** The features where a candidate is nearest to and farthest from the query, scaled by their range. */
function explain(
  query: Record<string, number>,
  other: Record<string, number>,
  ranges: ReadonlyMap<string, { lo: number; hi: number }>,
): { closest: FeatureComparison[]; farthest: FeatureComparison[] } {
  const diffs: (FeatureComparison & { d: number })[] = [];
  for (const [name, q] of Object.entries(query)) {
    const v = other[name];
    if (v === undefined) continue;
    const r = ranges.get(name);
    const lo = Math.min(r?.lo ?? q, q, v);
    const hi = Math.max(r?.hi ?? q, q, v);
    diffs.push({ name, query: q, value: v, d: hi > lo ? Math.abs(q - v) / (hi - lo) : 0 });
  }
  diffs.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  const strip = ({ name, query: q, value }: FeatureComparison) => ({ name, query: q, value });
  return { closest: diffs.slice(0, 3).map(strip), farthest: diffs.slice(-3).reverse().map(strip) };
}

/**
 * Ranks the project's (and shared) experiments by how similar their dataset is to the query's (vector-index
 * retrieval, then exact per-feature-normalized similarity from optimizers/, on the scale `ranges` keeps), after the model,
 * objective and search-space filters. Without meta-features, experiments are ordered by
 * search-space overlap and amount of evidence, with similarity null.
 */
export async function rankSimilarExperiments(graph: Graph, projectId: string, q: SimilarityQuery, ranges: MetaFeatureRanges): Promise<SimilarExperiment[]> {
  // The caller's own experiments, plus those their owners shared (see src/services/sharing.ts).
  const projectIds = await visibleProjects(graph, projectId);
  const meta = q.metaFeatures && Object.keys(q.metaFeatures).length ? q.metaFeatures : null;
  const embedding = meta ? metaFeatureEmbedding(meta) : null;
  const filter = { model: q.model, metric: q.metric, excludeIds: q.excludeIds, minCompleted: q.minCompleted };
  let summaries: ExperimentSummary[];
  let datasetMeta: Map<string, Record<string, number>>;
  if (embedding) {
    const near = await nearExperiments(graph, projectIds, embedding, Math.max(MIN_CANDIDATES, q.k * CANDIDATES_PER_RESULT), { ...filter, limit: 2000 });
    summaries = near;
    datasetMeta = new Map(near.map((n) => [n.experiment.datasetId, n.datasetMetaFeatures]));
  } else {
    summaries = await experimentSummaries(graph, projectIds, { ...filter, limit: 1000 });
    datasetMeta = new Map();
  }
  const bounds = meta ? await ranges.of(projectIds) : new Map<string, { lo: number; hi: number }>();
  const sims = meta
    ? metaFeatureSimilarities(
        meta,
        [...datasetMeta].map(([id, metaFeatures]) => ({ id, metaFeatures })),
        bounds,
      )
    : new Map<string, { similarity: number; features: number }>();
  const ranked: SimilarExperiment[] = [];
  for (const s of summaries) {
    const { overlap, shared } = overlapOf(
      q.searchSpace,
      s.experiment.searchSpace.map((p) => p.name),
    );
    if (q.minOverlap !== undefined && overlap !== null && overlap < q.minOverlap) continue;
    const sim = sims.get(s.experiment.datasetId);
    const other = datasetMeta.get(s.experiment.datasetId);
    ranked.push({
      ...s,
      similarity: sim ? sim.similarity : null,
      reasons: {
        metaFeatures: sim && meta && other ? { similarity: sim.similarity, sharedFeatures: sim.features, ...explain(meta, other, bounds) } : null,
        sameModel: q.model === undefined ? null : s.experiment.model.name === q.model,
        sameObjective: q.metric === undefined ? null : s.experiment.objective.metric === q.metric,
        searchSpaceOverlap: overlap,
        sharedParameters: shared,
      },
    });
  }
  const score = (r: SimilarExperiment) => (r.similarity ?? -1) * (q.weighOverlap && r.similarity !== null ? (r.reasons.searchSpaceOverlap ?? 1) : 1);
  ranked.sort(
    (a, b) =>
      score(b) - score(a) ||
      (b.reasons.searchSpaceOverlap ?? 0) - (a.reasons.searchSpaceOverlap ?? 0) ||
      b.completedCount - a.completedCount ||
      // Ties (common without meta-features) go by what the history carries, not by a random id, so
      // two imports of the same history choose the same priors in the same order.
      compare(a.experiment.name, b.experiment.name) ||
      compare(a.experiment.createdAt, b.experiment.createdAt) ||
      compare(a.experiment.id, b.experiment.id),
  );
  return ranked.slice(0, q.k);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
