import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import { z } from 'zod';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { Configuration, Experiment, type ExperimentInput, type ExperimentStatus, type Trial } from '../model.ts';
import { json, parseJson, read, readStatement, rows, write, type Tx } from '../tx.ts';
import { TRIAL_FIELDS, toTrial } from './trials.ts';

export const modelKey = (projectId: string, name: string, library: string) => `${projectId}/${name}/${library}`;

export const EXPERIMENT_FIELDS = `e.id AS id, e.projectId AS projectId, e.name AS name, e.status AS status,
  d.id AS datasetId, d.name AS datasetName,
  {id: m.id, name: m.name, library: m.library, family: m.family} AS model,
  e.searchSpace AS searchSpace, {metric: e.objectiveMetric, direction: e.direction} AS objective,
  e.budget AS budget, e.seed AS seed, e.optimizer AS optimizer, e.optimizerVersion AS optimizerVersion,
  e.warmStart AS warmStart, e.tags AS tags, toString(e.createdAt) AS createdAt, toString(e.updatedAt) AS updatedAt,
  toString(e.finishedAt) AS finishedAt, e.trialCount AS trialCount, coalesce(e.candidateCount, 0) AS candidateCount`;

export const EXPERIMENT_MATCH = `MATCH (d:Dataset)<-[:ON_DATASET]-(e:Experiment)-[:OF_MODEL]->(m:Model)`;

export function toExperiment(row: Record<string, unknown>): Experiment {
  return Experiment.parse({
    ...row,
    searchSpace: parseJson(row.searchSpace, []),
    budget: parseJson(row.budget, {}),
    optimizer: parseJson(row.optimizer, {}),
    warmStart: parseJson(row.warmStart, {}),
    tags: row.tags ?? [],
  });
}

export interface ExperimentWrite extends ExperimentInput {
  seed: number;
  optimizerVersion: string | null;
}

/** Hyperparameters become graph structure so that search-space overlap is a graph query. */
function hyperparameterRows(input: ExperimentWrite) {
  return input.searchSpace.map((p) => ({ name: p.name, type: p.type, domain: json(p) }));
}

export async function createExperiment(graph: Graph, projectId: string, input: ExperimentWrite): Promise<Experiment> {
  return write(graph, (tx) => createExperimentTx(tx, projectId, input));
}

/**
 * The project's oldest experiment named `name`, or a new one created from `input` when there is none.
 * The project node is write-locked first, so concurrent callers with the same name (workers of one
 * script starting together, on any number of service replicas) serialize there and create one.
 */
export async function findOrCreateExperiment(
  graph: Graph,
  projectId: string,
  name: string,
  input: ExperimentWrite,
): Promise<{ experiment: Experiment; created: boolean }> {
  return write(graph, async (tx) => {
    await tx.run('MATCH (p:Project {id: $projectId}) SET p.experimentNamesLock = true', { projectId });
    const [row] = await rows(
      tx,
      `${EXPERIMENT_MATCH} WHERE e.projectId = $projectId AND e.createdAt IS NOT NULL AND e.name = $name
       RETURN ${EXPERIMENT_FIELDS} ORDER BY e.createdAt, e.id LIMIT 1`,
      { projectId, name },
    );
    if (row) return { experiment: toExperiment(row), created: false };
    return { experiment: await createExperimentTx(tx, projectId, { ...input, name }), created: true };
  });
}

export async function createExperimentTx(tx: Tx, projectId: string, input: ExperimentWrite, id: string = randomUUID()): Promise<Experiment> {
  const [dataset] = await rows<{ name: string }>(tx, 'MATCH (d:Dataset {id: $datasetId}) WHERE d.projectId = $projectId RETURN d.name AS name', {
    datasetId: input.datasetId,
    projectId,
  });
  if (!dataset) throw new NotFoundError('dataset', input.datasetId);
  const mKey = modelKey(projectId, input.model.name, input.model.library);
  await tx.run(
    `MATCH (p:Project {id: $projectId}), (d:Dataset {id: $datasetId})
     MERGE (m:Model {key: $modelKey})
     ON CREATE SET m.id = $modelId, m.projectId = $projectId, m.name = $model.name,
                   m.library = $model.library, m.family = $model.family
     MERGE (p)-[:HAS_MODEL]->(m)
     CREATE (e:Experiment {
       id: $id, projectId: $projectId, name: $name, status: 'running',
       datasetId: $datasetId, modelId: m.id, searchSpace: $searchSpace,
       objectiveMetric: $objective.metric, direction: $objective.direction,
       budget: $budget, seed: $seed, optimizer: $optimizer, optimizerVersion: $optimizerVersion,
       warmStart: $warmStart, tags: $tags, createdAt: datetime(), updatedAt: datetime(),
       trialCount: 0, completedCount: 0, candidates: $candidates, candidateCount: $candidateCount
     })
     CREATE (p)-[:HAS_EXPERIMENT]->(e), (e)-[:ON_DATASET]->(d), (e)-[:OF_MODEL]->(m)
     WITH e, m
     UNWIND $hyperparameters AS hp
     MERGE (h:Hyperparameter {key: $modelKey + '/' + hp.name})
     ON CREATE SET h.name = hp.name, h.type = hp.type, h.projectId = $projectId, h.modelId = m.id
     MERGE (m)-[:HAS_HYPERPARAMETER]->(h)
     CREATE (e)-[:SEARCHES {type: hp.type, domain: hp.domain}]->(h)`,
    {
      projectId,
      datasetId: input.datasetId,
      modelKey: mKey,
      modelId: randomUUID(),
      model: input.model,
      id,
      name: input.name ?? `${input.model.name} on ${dataset.name}`,
      searchSpace: json(input.searchSpace),
      objective: input.objective,
      budget: json(input.budget),
      seed: int(input.seed),
      optimizer: json(input.optimizer),
      optimizerVersion: input.optimizerVersion,
      warmStart: json(input.warmStart),
      tags: input.tags,
      // A null property is not stored, so experiments without a menu carry neither.
      candidates: input.candidates ? json(input.candidates) : null,
      candidateCount: input.candidates ? int(input.candidates.length) : null,
      hyperparameters: hyperparameterRows(input),
    },
  );
  const [row] = await rows(tx, `${EXPERIMENT_MATCH} WHERE e.id = $id RETURN ${EXPERIMENT_FIELDS}`, { id });
  return toExperiment(row as Record<string, unknown>);
}

export interface ExperimentDetail extends Experiment {
  counts: Record<string, number>;
  bestTrial: Trial | null;
}

export async function getExperiment(graph: Graph, projectId: string, id: string): Promise<Experiment> {
  return read(graph, (tx) => getExperimentTx(tx, projectId, id));
}

export async function getExperimentTx(tx: Tx, projectId: string, id: string): Promise<Experiment> {
  const [row] = await rows(tx, `${EXPERIMENT_MATCH} WHERE e.id = $id AND e.projectId = $projectId RETURN ${EXPERIMENT_FIELDS}`, {
    id,
    projectId,
  });
  if (!row) throw new NotFoundError('experiment', id);
  return toExperiment(row);
}

/** The experiment with trial counts per state and its best valid completed trial. */
export async function getExperimentDetail(graph: Graph, projectId: string, id: string): Promise<ExperimentDetail> {
  return read(graph, async (tx) => {
    const experiment = await getExperimentTx(tx, projectId, id);
    const counts = await rows<{ state: string; n: number }>(
      tx,
      'MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial) RETURN t.state AS state, count(*) AS n',
      { id },
    );
    const [best] = await rows(tx, `MATCH (e:Experiment {id: $id}) MATCH (t:Trial {id: e.bestTrialId}) RETURN ${TRIAL_FIELDS}`, { id });
    return {
      ...experiment,
      counts: Object.fromEntries(counts.map((c) => [c.state, c.n])),
      bestTrial: best ? toTrial(best) : null,
    };
  });
}

/** The filters of an experiment list (over EXPERIMENT_MATCH's e, d, m), shared by the API's list and the dashboard's. */
export function experimentListFilter(
  projectId: string,
  q: { name?: string; datasetId?: string; model?: string; status?: ExperimentStatus },
): { where: string; params: Record<string, unknown> } {
  return {
    where: `e.projectId = $projectId AND e.createdAt IS NOT NULL AND ($status IS NULL OR e.status = $status)
      AND ($datasetId IS NULL OR d.id = $datasetId) AND ($model IS NULL OR m.name = $model)
      AND ($name IS NULL OR toLower(e.name) CONTAINS toLower($name))`,
    params: { projectId, name: q.name ?? null, status: q.status ?? null, datasetId: q.datasetId ?? null, model: q.model ?? null },
  };
}

export async function listExperiments(
  graph: Graph,
  projectId: string,
  q: { name?: string; datasetId?: string; model?: string; status?: ExperimentStatus; limit: number; offset: number },
): Promise<{ items: Experiment[]; total: number }> {
  return read(graph, async (tx) => {
    const { where, params: filter } = experimentListFilter(projectId, q);
    const params = { ...filter, limit: int(q.limit), offset: int(q.offset) };
    const [count] = await rows<{ total: number }>(tx, `${EXPERIMENT_MATCH} WHERE ${where} RETURN count(e) AS total`, params);
    const items = await rows(
      tx,
      `${EXPERIMENT_MATCH} WHERE ${where}
       RETURN ${EXPERIMENT_FIELDS} ORDER BY e.createdAt DESC, e.id SKIP $offset LIMIT $limit`,
      params,
    );
    return { items: items.map(toExperiment), total: count?.total ?? 0 };
  });
}

const TRANSITIONS: Record<'pause' | 'resume' | 'finish', { from: ExperimentStatus[]; to: ExperimentStatus }> = {
  pause: { from: ['running', 'paused'], to: 'paused' },
  resume: { from: ['paused', 'running'], to: 'running' },
  finish: { from: ['running', 'paused', 'finished'], to: 'finished' },
};

/**
 * Status changes are idempotent (pausing a paused experiment is a no-op), and a finished
 * experiment stays finished: its history is final.
 */
export async function changeStatus(graph: Graph, projectId: string, id: string, action: keyof typeof TRANSITIONS): Promise<Experiment> {
  return write(graph, async (tx) => {
    const [cur] = await rows<{ status: ExperimentStatus }>(
      tx,
      'MATCH (e:Experiment {id: $id}) WHERE e.projectId = $projectId SET e.lock = true REMOVE e.lock RETURN e.status AS status',
      { id, projectId },
    );
    if (!cur) throw new NotFoundError('experiment', id);
    const t = TRANSITIONS[action];
    if (!t.from.includes(cur.status)) {
      throw new ConflictError(`cannot ${action} a ${cur.status} experiment`, { status: cur.status });
    }
    if (cur.status !== t.to) {
      await tx.run(
        `MATCH (e:Experiment {id: $id})
         SET e.status = $to, e.updatedAt = datetime(),
             e.finishedAt = CASE WHEN $to = 'finished' THEN datetime() ELSE e.finishedAt END`,
        { id, to: t.to },
      );
    }
    return getExperimentTx(tx, projectId, id);
  });
}

/**
 * The experiment's candidate menu in its stored order, or null without one. Kept apart from
 * EXPERIMENT_FIELDS because a menu can be megabytes of JSON that most reads do not need.
 */
export async function readCandidates(graph: Graph, projectId: string, id: string): Promise<Configuration[] | null> {
  return read(graph, (tx) => readCandidatesTx(tx, projectId, id));
}

export async function readCandidatesTx(tx: Tx, projectId: string, id: string): Promise<Configuration[] | null> {
  const [row] = await rows<{ candidates: string | null }>(
    tx,
    'MATCH (e:Experiment {id: $id}) WHERE e.projectId = $projectId RETURN e.candidates AS candidates',
    { id, projectId },
  );
  if (!row) throw new NotFoundError('experiment', id);
  return row.candidates === null ? null : z.array(Configuration).parse(parseJson(row.candidates, []));
}

/** The project an experiment belongs to: for operator tools (CLI) that address experiments by id alone. */
export async function experimentProjectId(graph: Graph, id: string): Promise<string> {
  const [row] = await read(graph, (tx) => rows<{ projectId: string }>(tx, 'MATCH (e:Experiment {id: $id}) RETURN e.projectId AS projectId', { id }));
  if (!row) throw new NotFoundError('experiment', id);
  return row.projectId;
}

/** The running experiment changed last, in any project (the service's warm-up rehearses an ask on it). */
export async function latestRunningExperiment(graph: Graph): Promise<{ id: string; projectId: string } | null> {
  const [row] = await readStatement<{ id: string; projectId: string }>(
    graph,
    "MATCH (e:Experiment) WHERE e.status = 'running' RETURN e.id AS id, e.projectId AS projectId ORDER BY e.updatedAt DESC LIMIT 1",
  );
  return row ?? null;
}

/** The ids among `ids` that are not experiments of these projects (any other project's count as missing). */
export async function missingExperimentIds(graph: Graph, projectIds: string[], ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const [row] = await read(graph, (tx) =>
    rows<{ found: string[] }>(tx, 'MATCH (e:Experiment) WHERE e.id IN $ids AND e.projectId IN $projectIds RETURN collect(e.id) AS found', { ids, projectIds }),
  );
  const found = new Set(row?.found ?? []);
  return ids.filter((id) => !found.has(id));
}

/** The shared copy of an experiment, if its owner shared it already. */
export async function sharedCopyOf(graph: Graph, sharedProjectId: string, originalId: string): Promise<string | null> {
  const [row] = await read(graph, (tx) =>
    rows<{ id: string }>(tx, 'MATCH (e:Experiment {sharedFrom: $originalId}) WHERE e.projectId = $sharedProjectId RETURN e.id AS id LIMIT 1', {
      originalId,
      sharedProjectId,
    }),
  );
  return row?.id ?? null;
}
