import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { read, rows, type Tx } from '../tx.ts';
import { metaFeatureRecord } from './datasets.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_MATCH, toExperiment } from './experiments.ts';
import type { Experiment } from '../model.ts';

const SUMMARY_RETURN = `OPTIONAL MATCH (b:Trial {id: e.bestTrialId})
  RETURN ${EXPERIMENT_FIELDS}, e.completedCount AS completedCount,
    CASE WHEN b IS NULL THEN null ELSE {trialId: b.id, number: b.number, value: b.value, config: b.config} END AS best`;

function toSummary(r: Record<string, unknown>): ExperimentSummary {
  const best = r.best as { trialId: string; number: number; value: number; config: string } | null;
  return {
    experiment: toExperiment(r),
    completedCount: Number(r.completedCount ?? 0),
    best: best ? { ...best, config: JSON.parse(best.config) as Record<string, unknown> } : null,
  };
}

export interface ExperimentSummary {
  experiment: Experiment;
  completedCount: number;
  best: { trialId: string; number: number; value: number; config: Record<string, unknown> } | null;
}

export interface ExperimentFilter {
  model?: string;
  metric?: string;
  excludeIds?: string[];
  /** Only experiments with at least this many completed trials (filtered in the query, so empty ones take no candidate's place). */
  minCompleted?: number;
  limit: number;
}

/** An ExperimentFilter as a Cypher condition on `e` (and its model `m`), with filterParams. */
const FILTER = `($model IS NULL OR m.name = $model) AND ($metric IS NULL OR e.objectiveMetric = $metric)
         AND NOT e.id IN $excludeIds AND coalesce(e.completedCount, 0) >= $minCompleted`;

function filterParams(f: ExperimentFilter) {
  return { model: f.model ?? null, metric: f.metric ?? null, excludeIds: f.excludeIds ?? [], minCompleted: int(f.minCompleted ?? 0) };
}

/** Experiments with their best valid completed trial, for ranking and warm start. */
export async function experimentSummaries(graph: Graph, projectIds: string[], f: ExperimentFilter): Promise<ExperimentSummary[]> {
  const start = `${EXPERIMENT_MATCH} WHERE e.projectId IN $projectIds AND e.createdAt IS NOT NULL`;
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `${start} AND ${FILTER}
       WITH d, e, m ORDER BY e.createdAt DESC LIMIT $limit
       ${SUMMARY_RETURN}`,
      { projectIds, ...filterParams(f), limit: int(f.limit) },
    ),
  );
  return found.map(toSummary);
}

export interface NearExperiment extends ExperimentSummary {
  datasetMetaFeatures: Record<string, number>;
}

/**
 * Projects with at most this many datasets are searched exactly (a scan of their datasets); larger
 * ones through the vector index. The index holds every project's datasets and Neo4j 5 has no filtered
 * vector search, so over-fetching a fixed factor can return mostly other projects' datasets (for example
 * many projects holding copies of the same datasets, as after imports or sharing), and a project
 * would silently get fewer neighbours than it has.
 */
export const EXACT_SEARCH_MAX_DATASETS = 2_000;
/** The vector index answers at most this many neighbours per query. */
const MAX_INDEX_FETCH = 10_000;

/**
 * Similarity search: the datasets of the visible projects nearest to `embedding` (exact for projects
 * up to EXACT_SEARCH_MAX_DATASETS, else the vector index, over-fetched until enough visible datasets
 * came back or the index has no more), then their experiments that pass the filters, each with its
 * best trial and its dataset's meta-features for re-ranking.
 */
export async function nearExperiments(
  graph: Graph,
  projectIds: string[],
  embedding: number[],
  datasets: number,
  f: ExperimentFilter,
  exactSearchMax = EXACT_SEARCH_MAX_DATASETS,
): Promise<NearExperiment[]> {
  const found = await read(graph, async (tx) => {
    const ids = await nearestDatasetIds(tx, projectIds, embedding, datasets, exactSearchMax, f);
    return rows(
      tx,
      `UNWIND range(0, size($ids) - 1) AS rank
       MATCH (d:Dataset {id: $ids[rank]})<-[:ON_DATASET]-(e:Experiment)-[:OF_MODEL]->(m:Model)
       WHERE ${FILTER}
       WITH d, e, m ORDER BY rank LIMIT $limit
       ${SUMMARY_RETURN}, d.metaFeatureNames AS mfNames, d.metaFeatureValues AS mfValues`,
      { ids, ...filterParams(f), limit: int(f.limit) },
    );
  });
  return found.map((r) => ({ ...toSummary(r), datasetMetaFeatures: metaFeatureRecord(r.mfNames, r.mfValues) }));
}

/**
 * Ids of the visible projects' `datasets` datasets nearest to `embedding` that hold an experiment the
 * filter accepts, nearest first (see nearExperiments). Filtering here, not after: nearer datasets of
 * other models must not crowd out the only one tuning the same model.
 */
async function nearestDatasetIds(
  tx: Tx,
  projectIds: string[],
  embedding: number[],
  datasets: number,
  exactSearchMax: number,
  f: ExperimentFilter,
): Promise<string[]> {
  const matching = `EXISTS {
         MATCH (d)<-[:ON_DATASET]-(e:Experiment)-[:OF_MODEL]->(m:Model)
         WHERE ${FILTER}
       }`;
  const params = { projectIds, embedding, datasets: int(datasets), ...filterParams(f) };
  const ids = async (cypher: string, fetch = 0) =>
    (
      await rows<{ id: string }>(tx, `${cypher} WITH d, score WHERE ${matching} WITH d, score ORDER BY score DESC, d.id LIMIT $datasets RETURN d.id AS id`, {
        ...params,
        fetch: int(fetch),
      })
    ).map((r) => r.id);
  // Index-backed count (datasets without meta-features included: an upper bound is enough), stopped
  // once it can choose: counting all of a project's 10,000 datasets was 7 ms of Neo4j per query, a
  // third of the search. Past the cap, `want` below is `datasets` whatever the exact number.
  const cap = Math.max(exactSearchMax, datasets) + 1;
  const [counted] = await rows<{ n: number }>(tx, 'MATCH (d:Dataset) WHERE d.projectId IN $projectIds WITH d LIMIT $cap RETURN count(d) AS n', {
    projectIds,
    cap: int(cap),
  });
  const visible = Number(counted?.n ?? 0);
  if (visible <= exactSearchMax) {
    // Same score as the index (euclidean: 1 / (1 + squared distance)), computed for every dataset.
    return ids(
      `MATCH (d:Dataset) WHERE d.projectId IN $projectIds AND d.embedding IS NOT NULL
       WITH d, vector.similarity.euclidean(d.embedding, $embedding) AS score`,
    );
  }
  const want = Math.min(datasets, visible);
  for (let fetch = Math.min(MAX_INDEX_FETCH, datasets * 2); ; fetch = Math.min(MAX_INDEX_FETCH, fetch * 4)) {
    const found = await ids(
      `CALL db.index.vector.queryNodes('dataset_meta_features', $fetch, $embedding) YIELD node, score
       WITH node AS d, score WHERE d.projectId IN $projectIds`,
      fetch,
    );
    if (found.length >= want || fetch >= MAX_INDEX_FETCH) return found;
  }
}

/** Meta-features of datasets by id (for datasets the caller names rather than finds). */
export async function datasetMetaFeatures(graph: Graph, projectId: string, ids: string[]): Promise<Map<string, Record<string, number>>> {
  const found = await read(graph, (tx) =>
    rows<{ id: string; names: string[]; values: number[] }>(
      tx,
      `MATCH (d:Dataset) WHERE d.id IN $ids AND d.projectId = $projectId
       RETURN d.id AS id, d.metaFeatureNames AS names, d.metaFeatureValues AS values`,
      { ids, projectId },
    ),
  );
  return new Map(found.map((r) => [r.id, metaFeatureRecord(r.names, r.values)]));
}

/**
 * Which datasets the projects have, in one string: their number and the latest creation. Datasets
 * are only ever added, so it changes exactly when metaFeatureRanges may (one index read, not a pass).
 */
export async function datasetsVersion(graph: Graph, projectIds: string[]): Promise<string> {
  const [row] = await read(graph, (tx) =>
    rows<{ n: number; last: string | null }>(
      tx,
      'MATCH (d:Dataset) WHERE d.projectId IN $projectIds AND d.createdAt IS NOT NULL RETURN count(d) AS n, toString(max(d.createdAt)) AS last',
      { projectIds },
    ),
  );
  return `${row?.n ?? 0}@${row?.last ?? ''}`;
}

/** Per-feature bounds over every dataset of the projects: the scale for meta-feature distances. */
export async function metaFeatureRanges(graph: Graph, projectIds: string[]): Promise<Map<string, { lo: number; hi: number }>> {
  const found = await read(graph, (tx) =>
    rows<{ name: string; lo: number; hi: number }>(
      tx,
      `MATCH (d:Dataset) WHERE d.projectId IN $projectIds AND d.createdAt IS NOT NULL AND size(d.metaFeatureNames) > 0
       UNWIND range(0, size(d.metaFeatureNames) - 1) AS i
       WITH d.metaFeatureNames[i] AS name, d.metaFeatureValues[i] AS v
       RETURN name, min(v) AS lo, max(v) AS hi`,
      { projectIds },
    ),
  );
  return new Map(found.map((r) => [r.name, { lo: r.lo, hi: r.hi }]));
}

/**
 * The metrics that the visible experiments of one model (other than `excludeIds`) with at least one
 * completed trial were recorded under, with how many such experiments each: why an automatic warm
 * start that matches on the metric found nothing.
 */
export async function metricsOfModel(
  graph: Graph,
  projectIds: string[],
  model: string,
  excludeIds: string[],
): Promise<{ metric: string; experiments: number }[]> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `${EXPERIMENT_MATCH} WHERE e.projectId IN $projectIds AND m.name = $model AND NOT e.id IN $excludeIds AND e.completedCount > 0
       RETURN e.objectiveMetric AS metric, count(e) AS experiments ORDER BY experiments DESC, metric`,
      { projectIds, model, excludeIds },
    ),
  );
  return found.map((r) => ({ metric: String(r.metric), experiments: Number(r.experiments) }));
}
