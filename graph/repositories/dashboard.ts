/**
 * Read-only queries of the web dashboard (src/routes/dashboard.ts, ui/): the experiments list with
 * what warm start did, an experiment's whole history in one read, the priors and cold runs its
 * warm-start comparison is drawn against, and what a trial's provenance names.
 */
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import type { Configuration, Experiment, ExperimentStatus, Trial } from '../model.ts';
import { parseJson, read, rows } from '../tx.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_MATCH, experimentListFilter, toExperiment } from './experiments.ts';
import { TRIAL_FIELDS, toTrial } from './trials.ts';

/** What the list can be sorted by, and the expression each sorts on (values stay parameters). */
export const DASHBOARD_SORTS = {
  created: 'e.createdAt',
  updated: 'e.updatedAt',
  name: 'toLower(e.name)',
  dataset: 'toLower(d.name)',
  model: 'toLower(m.name)',
  status: 'e.status',
  trials: 'e.trialCount',
  best: 'e.bestValue',
  priors: 'priors',
} as const;
export type DashboardSort = keyof typeof DASHBOARD_SORTS;

export interface DashboardListQuery {
  name?: string;
  datasetId?: string;
  model?: string;
  status?: ExperimentStatus;
  /** 'yes': experiments that learned from at least one prior; 'no': the others. */
  warmStarted?: 'yes' | 'no';
  sort: DashboardSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface DashboardListItem {
  experiment: Experiment;
  completedTrials: number;
  failedTrials: number;
  runningTrials: number;
  bestValue: number | null;
  bestTrialNumber: number | null;
  /** Prior experiments it learned from (WARM_STARTED_FROM). */
  priors: number;
}

export async function listDashboardExperiments(
  graph: Graph,
  projectId: string,
  q: DashboardListQuery,
): Promise<{ items: DashboardListItem[]; total: number; models: string[]; datasets: { id: string; name: string; version: string }[] }> {
  return read(graph, async (tx) => {
    const list = experimentListFilter(projectId, q);
    const where = `${list.where} AND ($warm IS NULL OR ($warm = 'yes') = EXISTS { (e)-[:WARM_STARTED_FROM]->() })`;
    const params = { ...list.params, warm: q.warmStarted ?? null, limit: int(q.limit), offset: int(q.offset) };
    const key = DASHBOARD_SORTS[q.sort];
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const [count] = await rows<{ total: number }>(tx, `${EXPERIMENT_MATCH} WHERE ${where} RETURN count(e) AS total`, params);
    const found = await rows(
      tx,
      `${EXPERIMENT_MATCH} WHERE ${where}
       WITH d, e, m, COUNT { (e)-[:WARM_STARTED_FROM]->() } AS priors
       ORDER BY CASE WHEN ${key} IS NULL THEN 1 ELSE 0 END, ${key} ${order}, e.createdAt DESC, e.id
       SKIP $offset LIMIT $limit
       OPTIONAL MATCH (b:Trial {id: e.bestTrialId})
       CALL (e) {
         OPTIONAL MATCH (e)-[:HAS_TRIAL]->(t:Trial) WHERE t.state IN ['failed', 'running', 'queued']
         RETURN sum(CASE WHEN t.state = 'failed' THEN 1 ELSE 0 END) AS failed, sum(CASE WHEN t.state <> 'failed' THEN 1 ELSE 0 END) AS open
       }
       RETURN ${EXPERIMENT_FIELDS}, priors, coalesce(e.completedCount, 0) AS completedTrials, failed, open,
         e.bestValue AS bestValue, b.number AS bestTrialNumber`,
      params,
    );
    const [facets] = await rows<{ models: string[]; datasets: { id: string; name: string; version: string }[] }>(
      tx,
      `MATCH (p:Project {id: $projectId})
       CALL (p) { OPTIONAL MATCH (p)-[:HAS_MODEL]->(m:Model) WITH DISTINCT m.name AS name ORDER BY name RETURN collect(name) AS models }
       CALL (p) {
         OPTIONAL MATCH (p)-[:HAS_DATASET]->(d:Dataset) WHERE EXISTS { (d)<-[:ON_DATASET]-(:Experiment) }
         WITH d ORDER BY toLower(d.name), d.version LIMIT 1000
         RETURN collect(CASE WHEN d IS NULL THEN null ELSE {id: d.id, name: d.name, version: d.version} END) AS datasets
       }
       RETURN models, datasets`,
      { projectId },
    );
    return {
      total: Number(count?.total ?? 0),
      items: found.map((r) => ({
        experiment: toExperiment(r),
        completedTrials: Number(r.completedTrials ?? 0),
        failedTrials: Number(r.failed ?? 0),
        runningTrials: Number(r.open ?? 0),
        bestValue: (r.bestValue as number | null) ?? null,
        bestTrialNumber: r.bestTrialNumber === null || r.bestTrialNumber === undefined ? null : Number(r.bestTrialNumber),
        priors: Number(r.priors ?? 0),
      })),
      models: facets?.models ?? [],
      datasets: facets?.datasets ?? [],
    };
  });
}

/** A trial as the experiment page draws it: everything but the provenance, which the "why" view reads per trial. */
export interface DashboardTrial {
  id: string;
  number: number;
  state: string;
  value: number | null;
  config: Configuration;
  strategy: string | null;
  proposedBy: string;
  user: string | null;
  invalid: boolean;
  durationSeconds: number | null;
  createdAt: string;
  completedAt: string | null;
  intermediate: { step: number; value: number }[];
}

/** Values of an experiment's valid completed trials in trial-number order, for a best-so-far curve. */
export interface CurveSource {
  experimentId: string;
  name: string;
  datasetName: string;
  direction: 'minimize' | 'maximize';
  values: number[];
}

export interface PriorLink extends CurveSource {
  projectId: string;
  /**
   * The similarity the prior had at its latest use that measured one (the edge's, else the most recent in
   * the suggestions' provenance), the weight of its latest use (on the WARM_STARTED_FROM edge), and how
   * many suggestions used it.
   */
  similarity: number | null;
  weight: number | null;
  uses: number;
}

export interface ExperimentDashboardData {
  experiment: Experiment;
  counts: Record<string, number>;
  eventSeq: number;
  bestTrialId: string | null;
  trials: DashboardTrial[];
  priors: PriorLink[];
  /** The project's other experiments of the same model and objective metric that learned from no prior. */
  cold: CurveSource[];
}

/** Trials per curve read for priors and cold experiments: the comparison is about the first few hundred. */
export const CURVE_TRIALS = 2_000;
/** Cold experiments the median cold curve is taken over (the most recent ones). */
export const COLD_EXPERIMENTS = 50;
/** Most recent suggestions whose provenance is searched for a prior's similarity. */
const RECENT_PROVENANCE = 200;

export async function readExperimentDashboard(graph: Graph, projectIds: string[], projectId: string, id: string): Promise<ExperimentDashboardData> {
  return read(graph, async (tx) => {
    const [head] = await rows(
      tx,
      `${EXPERIMENT_MATCH} WHERE e.id = $id AND e.projectId = $projectId
       CALL (e) { OPTIONAL MATCH (e)-[:HAS_TRIAL]->(t:Trial) WITH t.state AS state, count(t) AS n WHERE state IS NOT NULL RETURN collect([state, n]) AS counts }
       RETURN ${EXPERIMENT_FIELDS}, counts, coalesce(e.eventSeq, 0) AS eventSeq, e.bestTrialId AS bestTrialId`,
      { id, projectId },
    );
    if (!head) throw new NotFoundError('experiment', id);
    const trials = await rows(
      tx,
      `MATCH (:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial)
       RETURN t.id AS id, t.number AS number, t.state AS state, t.value AS value, t.config AS config, t.strategy AS strategy,
         t.proposedBy AS proposedBy, t.user AS user, coalesce(t.invalid, false) AS invalid, t.durationSeconds AS durationSeconds,
         toString(t.createdAt) AS createdAt, toString(t.completedAt) AS completedAt,
         t.intermediateSteps AS steps, t.intermediateValues AS values
       ORDER BY t.number`,
      { id },
    );
    const curveValues = `CALL (x) {
         OPTIONAL MATCH (x)-[:HAS_TRIAL]->(t:Trial {state: 'completed'}) WHERE NOT coalesce(t.invalid, false) AND t.value IS NOT NULL
         WITH t ORDER BY t.number LIMIT $curveTrials
         RETURN collect(t.value) AS values
       }`;
    const priors = await rows(
      tx,
      `MATCH (e:Experiment {id: $id})-[w:WARM_STARTED_FROM]->(x:Experiment)-[:ON_DATASET]->(xd:Dataset)
       WHERE x.projectId IN $projectIds
       ${curveValues}
       RETURN x.id AS experimentId, x.name AS name, xd.name AS datasetName, x.direction AS direction, x.projectId AS projectId,
         w.similarity AS similarity, w.weight AS weight, coalesce(w.uses, 0) AS uses, values
       ORDER BY x.name`,
      { id, projectIds, curveTrials: int(CURVE_TRIALS) },
    );
    // The edge keeps the similarity of the prior's latest use, which model-based suggestions leave null;
    // the suggestions' provenance has the similarity each use saw: the most recent one that gave one.
    const recent = await rows<{ provenance: string }>(
      tx,
      `MATCH (:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial) WHERE t.provenance CONTAINS '"similarity"'
       WITH t ORDER BY t.number DESC LIMIT $recent
       RETURN t.provenance AS provenance`,
      { id, recent: int(RECENT_PROVENANCE) },
    );
    const seenSimilarity = new Map<string, number>();
    for (const r of recent) {
      for (const p of parseJson<{ priors?: { experimentId?: unknown; similarity?: unknown }[] }>(r.provenance, {}).priors ?? []) {
        if (typeof p.experimentId === 'string' && typeof p.similarity === 'number' && !seenSimilarity.has(p.experimentId))
          seenSimilarity.set(p.experimentId, p.similarity);
      }
    }
    const cold = await rows(
      tx,
      `MATCH (e:Experiment {id: $id})
       MATCH (x:Experiment) WHERE x.projectId = $projectId AND x.modelId = e.modelId AND x.objectiveMetric = e.objectiveMetric
         AND x.id <> e.id AND x.createdAt IS NOT NULL AND NOT EXISTS { (x)-[:WARM_STARTED_FROM]->() }
       WITH x ORDER BY x.createdAt DESC LIMIT $coldLimit
       MATCH (x)-[:ON_DATASET]->(xd:Dataset)
       ${curveValues}
       RETURN x.id AS experimentId, x.name AS name, xd.name AS datasetName, x.direction AS direction, values`,
      { id, projectId, coldLimit: int(COLD_EXPERIMENTS), curveTrials: int(CURVE_TRIALS) },
    );
    return {
      experiment: toExperiment(head),
      counts: Object.fromEntries((head.counts as [string, number][]).map(([s, n]) => [s, Number(n)])),
      eventSeq: Number(head.eventSeq ?? 0),
      bestTrialId: (head.bestTrialId as string | null) ?? null,
      trials: trials.map((t) => {
        const steps = (t.steps as number[] | null) ?? [];
        const values = (t.values as number[] | null) ?? [];
        return {
          id: t.id as string,
          number: Number(t.number),
          state: t.state as string,
          value: (t.value as number | null) ?? null,
          config: parseJson<Configuration>(t.config, {}),
          strategy: (t.strategy as string | null) ?? null,
          proposedBy: t.proposedBy as string,
          user: (t.user as string | null) ?? null,
          invalid: Boolean(t.invalid),
          durationSeconds: (t.durationSeconds as number | null) ?? null,
          createdAt: t.createdAt as string,
          completedAt: (t.completedAt as string | null) ?? null,
          intermediate: steps.map((step, i) => ({ step: Number(step), value: values[i]! })),
        };
      }),
      priors: priors
        .map((p) => ({
          experimentId: p.experimentId as string,
          name: p.name as string,
          datasetName: p.datasetName as string,
          direction: p.direction as 'minimize' | 'maximize',
          projectId: p.projectId as string,
          similarity: (p.similarity as number | null) ?? seenSimilarity.get(p.experimentId as string) ?? null,
          weight: (p.weight as number | null) ?? null,
          uses: Number(p.uses ?? 0),
          values: p.values as number[],
        }))
        .sort((a, b) => (b.similarity ?? -1) - (a.similarity ?? -1) || a.name.localeCompare(b.name)),
      cold: cold.map((c) => ({
        experimentId: c.experimentId as string,
        name: c.name as string,
        datasetName: c.datasetName as string,
        direction: c.direction as 'minimize' | 'maximize',
        values: c.values as number[],
      })),
    };
  });
}

export interface ExperimentRef {
  experimentId: string;
  name: string;
  datasetName: string;
  modelName: string;
  projectId: string;
  direction: 'minimize' | 'maximize';
  /** The WARM_STARTED_FROM edge from the trial's experiment, when there is one. */
  link: { similarity: number | null; weight: number | null; uses: number } | null;
}

export interface SourceTrialRef {
  trialId: string;
  number: number;
  value: number | null;
  state: string;
  config: Configuration;
  experimentId: string;
  experimentName: string;
  datasetName: string;
}

export interface TrialWhyData {
  trial: Trial;
  experiment: { id: string; name: string; datasetName: string; direction: 'minimize' | 'maximize' };
  /** The experiments the provenance names (priors, RGPE members, sources), as far as the caller may see them. */
  experiments: ExperimentRef[];
  sources: SourceTrialRef[];
}

/**
 * A trial with what its provenance names: the prior experiments (with the experiment's WARM_STARTED_FROM
 * edge to each) and the source trials of warm-start and portfolio picks. Only experiments of `projectIds`
 * (the caller's and the shared one) are resolved; the others stay ids.
 */
export async function readTrialWhy(graph: Graph, projectIds: string[], projectId: string, trialId: string): Promise<TrialWhyData> {
  return read(graph, async (tx) => {
    const [row] = await rows(
      tx,
      `MATCH (d:Dataset)<-[:ON_DATASET]-(e:Experiment)-[:HAS_TRIAL]->(t:Trial {id: $trialId}) WHERE t.projectId = $projectId
       RETURN ${TRIAL_FIELDS}, e.id AS eId, e.name AS eName, d.name AS eDataset, e.direction AS eDirection`,
      { trialId, projectId },
    );
    if (!row) throw new NotFoundError('trial', trialId);
    const { eId, eName, eDataset, eDirection, ...fields } = row;
    const trial = toTrial(fields);
    const prov = (trial.provenance ?? {}) as {
      priors?: { experimentId?: unknown }[];
      sourceTrials?: { experimentId?: unknown; trialId?: unknown }[];
      model?: { rgpeWeights?: { experimentId?: unknown }[] };
    };
    const ids = new Set<string>();
    const trialIds = new Set<string>();
    for (const p of prov.priors ?? []) if (typeof p.experimentId === 'string') ids.add(p.experimentId);
    for (const s of prov.sourceTrials ?? []) {
      if (typeof s.experimentId === 'string') ids.add(s.experimentId);
      if (typeof s.trialId === 'string') trialIds.add(s.trialId);
    }
    for (const w of prov.model?.rgpeWeights ?? []) if (typeof w.experimentId === 'string') ids.add(w.experimentId);
    const experiments = await rows(
      tx,
      `MATCH (x:Experiment)-[:ON_DATASET]->(xd:Dataset) WHERE x.id IN $lists.ids AND x.projectId IN $projectIds
       MATCH (x)-[:OF_MODEL]->(xm:Model)
       OPTIONAL MATCH (:Experiment {id: $experimentId})-[w:WARM_STARTED_FROM]->(x)
       RETURN x.id AS experimentId, x.name AS name, xd.name AS datasetName, xm.name AS modelName, x.projectId AS projectId,
         x.direction AS direction, CASE WHEN w IS NULL THEN null ELSE {similarity: w.similarity, weight: w.weight, uses: coalesce(w.uses, 0)} END AS link`,
      { lists: { ids: [...ids] }, projectIds, experimentId: eId },
    );
    const sources = await rows(
      tx,
      `MATCH (xd:Dataset)<-[:ON_DATASET]-(x:Experiment)-[:HAS_TRIAL]->(s:Trial) WHERE s.id IN $lists.trialIds AND s.projectId IN $projectIds
       RETURN s.id AS trialId, s.number AS number, s.value AS value, s.state AS state, s.config AS config,
         x.id AS experimentId, x.name AS experimentName, xd.name AS datasetName`,
      { lists: { trialIds: [...trialIds] }, projectIds },
    );
    return {
      trial,
      experiment: { id: eId as string, name: eName as string, datasetName: eDataset as string, direction: eDirection as 'minimize' | 'maximize' },
      experiments: experiments.map((x) => {
        const link = x.link as { similarity: number | null; weight: number | null; uses: unknown } | null;
        return {
          experimentId: x.experimentId as string,
          name: x.name as string,
          datasetName: x.datasetName as string,
          modelName: x.modelName as string,
          projectId: x.projectId as string,
          direction: x.direction as 'minimize' | 'maximize',
          link: link ? { similarity: link.similarity ?? null, weight: link.weight ?? null, uses: Number(link.uses ?? 0) } : null,
        };
      }),
      sources: sources.map((s) => ({
        trialId: s.trialId as string,
        number: Number(s.number),
        value: (s.value as number | null) ?? null,
        state: s.state as string,
        config: parseJson<Configuration>(s.config, {}),
        experimentId: s.experimentId as string,
        experimentName: s.experimentName as string,
        datasetName: s.datasetName as string,
      })),
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkedId(id: string): string {
  if (!UUID.test(id)) throw new RangeError(`not an id: ${JSON.stringify(id)}`);
  return id;
}

/**
 * The query a "open in Neo4j Browser" link puts into Browser's editor (`?cmd=edit&arg=…`): the trial, its
 * experiment and dataset, its configuration node, the prior trials it was suggested from with their
 * experiments and datasets, and the experiment's WARM_STARTED_FROM edges. Browser's URL can carry one
 * command only, so the id is written into the query (it is checked to be a UUID) instead of a `:param`.
 */
export function browserTrialQuery(trialId: string): string {
  const id = checkedId(trialId);
  return [
    `MATCH trial = (:Dataset)<-[:ON_DATASET]-(e:Experiment)-[:HAS_TRIAL]->(t:Trial {id: '${id}'})`,
    'OPTIONAL MATCH config = (t)-[:EVALUATES]->(:Config)',
    'OPTIONAL MATCH source = (t)-[:SUGGESTED_FROM]->(:Trial)<-[:HAS_TRIAL]-(:Experiment)-[:ON_DATASET]->(:Dataset)',
    'OPTIONAL MATCH warm = (e)-[:WARM_STARTED_FROM]->(:Experiment)',
    'RETURN trial, config, collect(DISTINCT source) AS sources, collect(DISTINCT warm) AS warm',
  ].join('\n');
}

/** The experiment with its dataset and model, its trials and the priors it learned from, for Browser's editor. */
export function browserExperimentQuery(experimentId: string): string {
  const id = checkedId(experimentId);
  return [
    `MATCH context = (:Dataset)<-[:ON_DATASET]-(e:Experiment {id: '${id}'})-[:OF_MODEL]->(:Model)`,
    'OPTIONAL MATCH trials = (e)-[:HAS_TRIAL]->(:Trial)',
    'OPTIONAL MATCH warm = (e)-[:WARM_STARTED_FROM]->(:Experiment)-[:ON_DATASET]->(:Dataset)',
    'RETURN context, collect(DISTINCT trials) AS trials, collect(DISTINCT warm) AS warm',
  ].join('\n');
}
