import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { Trial, type Configuration, type TrialState } from '../model.ts';
import { json, listParameters, parseJson, read, rows, write, writeStatement, type Tx } from '../tx.ts';

export const TRIAL_FIELDS = `t.id AS id, t.experimentId AS experimentId, t.number AS number, t.state AS state,
  t.config AS config, t.configHash AS configHash, t.value AS value, t.metrics AS metrics,
  t.intermediateSteps AS intermediateSteps, t.intermediateValues AS intermediateValues,
  t.proposedBy AS proposedBy, t.strategy AS strategy, t.reason AS reason, t.user AS user,
  t.provenance AS provenance, t.failReason AS failReason, coalesce(t.invalid, false) AS invalid, t.invalidReason AS invalidReason,
  toString(t.createdAt) AS createdAt, toString(t.startedAt) AS startedAt,
  toString(t.completedAt) AS completedAt, t.durationSeconds AS durationSeconds`;

export function toTrial(row: Record<string, unknown>): Trial {
  const steps = (row.intermediateSteps as number[] | null) ?? [];
  const values = (row.intermediateValues as number[] | null) ?? [];
  return Trial.parse({
    ...row,
    config: parseJson(row.config, {}),
    metrics: parseJson(row.metrics, {}),
    provenance: parseJson(row.provenance, null),
    intermediate: steps.map((step, i) => ({ step, value: values[i] })),
    intermediateSteps: undefined,
    intermediateValues: undefined,
  });
}

export interface TrialWrite {
  /** Canonical configuration (see optimizers/space.ts) and its hash; equal hashes share a Config node. */
  config: Configuration;
  configHash: string;
  state: TrialState;
  value?: number | null;
  metrics?: Record<string, number>;
  proposedBy: 'optimizer' | 'person' | 'import';
  strategy?: string | null;
  reason?: string | null;
  user?: string | null;
  provenance?: Record<string, unknown> | null;
  failReason?: string | null;
  durationSeconds?: number | null;
  /** Imported history may carry results already marked invalid. */
  invalid?: boolean;
  invalidReason?: string | null;
}

/**
 * Keeps the experiment's best trial on the experiment node (the first trial to reach the best
 * value), so ranking and summaries never sort every trial. Expects `e` and a candidate `c` with
 * `id` and `value`; bestTrialId is assigned before bestValue because SET applies in order.
 */
const BETTER = `(c.value IS NOT NULL AND (e.bestValue IS NULL
  OR (e.direction = 'maximize' AND c.value > e.bestValue) OR (e.direction = 'minimize' AND c.value < e.bestValue)))`;
export const UPDATE_BEST = `SET e.bestTrialId = CASE WHEN ${BETTER} THEN c.id ELSE e.bestTrialId END,
  e.bestValue = CASE WHEN ${BETTER} THEN c.value ELSE e.bestValue END`;

/** `name` is the caption Neo4j Browser shows: the number, and the outcome once there is one. */
function caption(number: number, state: string, value: number | null | undefined): string {
  if (state === 'completed' && value !== null && value !== undefined) return `#${number} = ${Number(value.toPrecision(4))}`;
  return `#${number} ${state}`;
}

function configCaption(config: Record<string, unknown>): string {
  const text = Object.entries(config)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
    .join(', ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Config properties `param.<name>` make a configuration readable in Browser; nulls are left out. */
function configParams(config: Configuration): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(config)) if (v !== null) out[`param.${k}`] = v;
  return out;
}

/** The Config node's caption and readable parameters, as a trial's config link carries them. */
export function configFields(config: Configuration): { configName: string; configParams: Record<string, string | number | boolean> } {
  return { configName: configCaption(config), configParams: configParams(config) };
}

export function trialProps(w: TrialWrite) {
  return {
    state: w.state,
    config: json(w.config),
    configHash: w.configHash,
    value: w.value ?? null,
    metrics: json(w.metrics ?? {}),
    proposedBy: w.proposedBy,
    strategy: w.strategy ?? null,
    reason: w.reason ?? null,
    user: w.user ?? null,
    provenance: w.provenance ? json(w.provenance) : null,
    failReason: w.failReason ?? null,
    durationSeconds: w.durationSeconds ?? null,
    invalid: w.invalid ?? false,
    invalidReason: w.invalidReason ?? null,
    ...configFields(w.config),
  };
}

/**
 * Creates trials in one experiment. Numbers come from a counter on the experiment node, which
 * the first statement write-locks: concurrent creators serialize there, so numbers are unique
 * and gap-free.
 */
export async function createTrialsTx(tx: Tx, projectId: string, experimentId: string, trials: TrialWrite[]): Promise<Trial[]> {
  const [exp] = await rows<{ status: string; base: number; modelId: string; seq: number }>(
    tx,
    `MATCH (e:Experiment {id: $experimentId}) WHERE e.projectId = $projectId
     SET e.trialCount = e.trialCount + $n, e.updatedAt = datetime(), e.eventSeq = coalesce(e.eventSeq, 0) + 1
     RETURN e.status AS status, e.trialCount - $n AS base, e.modelId AS modelId, e.eventSeq AS seq`,
    { experimentId, projectId, n: int(trials.length) },
  );
  if (!exp) throw new NotFoundError('experiment', experimentId);
  if (exp.status === 'finished') throw new ConflictError('the experiment is finished; it takes no new trials', { status: exp.status });
  return insertTrialsTx(
    tx,
    projectId,
    experimentId,
    trials.map((w, i) => ({ ...w, number: exp.base + i, seq: exp.seq })),
  );
}

export interface NumberedTrialWrite extends TrialWrite {
  number: number;
  /** The experiment's event sequence number at creation (0 for imported history). */
  seq?: number;
  intermediate?: { step: number; value: number }[];
  createdAt?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
}

/**
 * (Trial t)-[:EVALUATES]->(shared Config node) for the map `item`; `modelId` and `projectId` are Cypher
 * expressions. The Config is merged, so the first trial of a configuration creates it.
 */
export function linkConfig(modelId = 'm.id', projectId = '$projectId'): string {
  return `MERGE (c:Config {key: ${modelId} + '/' + item.configHash})
ON CREATE SET c.hash = item.configHash, c.projectId = ${projectId}, c.modelId = ${modelId},
              c.name = item.configName, c.config = item.config, c += item.configParams
CREATE (t)-[:EVALUATES]->(c)`;
}

/** CREATE_TRIAL without the Config link (recordSuggestions defers it for configurations taken from priors). */
export const CREATE_TRIAL_NODE = `CREATE (t:Trial {
  id: item.id, projectId: $projectId, experimentId: $experimentId, number: item.number, name: item.name,
  state: item.state, config: item.config, configHash: item.configHash, value: item.value,
  metrics: item.metrics, proposedBy: item.proposedBy, strategy: item.strategy, reason: item.reason,
  user: item.user, provenance: item.provenance, failReason: item.failReason,
  durationSeconds: item.durationSeconds, invalid: item.invalid, invalidReason: item.invalidReason,
  invalidatedSeq: CASE WHEN item.invalid THEN item.seq END, createdSeq: item.seq,
  finishedSeq: CASE WHEN item.state IN ['completed', 'failed'] THEN item.seq END,
  changedSeq: item.seq,
  intermediateSteps: item.intermediateSteps, intermediateValues: item.intermediateValues,
  createdAt: coalesce(datetime(item.createdAt), datetime()),
  startedAt: coalesce(datetime(item.startedAt), CASE WHEN item.state IN ['running', 'completed', 'failed'] THEN datetime() END),
  completedAt: coalesce(datetime(item.completedAt), CASE WHEN item.state IN ['completed', 'failed'] THEN datetime() END)
})
CREATE (e)-[:HAS_TRIAL]->(t)`;

/**
 * Creates trial `t` from the map `item` (see insertTrialsTx) under experiment `e` of model `m`, linked
 * to the shared Config node of its configuration. Shared by insertTrialsTx and recordSuggestions.
 */
export const CREATE_TRIAL = `${CREATE_TRIAL_NODE}
${linkConfig()}`;

/**
 * A Config carries its model as `modelId` rather than a relationship to the Model node: every
 * new configuration would otherwise write-lock that one node and serialize all writers.
 *
 * Writes trials whose numbers are already decided (new ones from createTrialsTx, or history
 * being imported), each linked to the shared Config node of its configuration. Keeps the
 * experiment's completed count in step.
 */
export async function insertTrialsTx(
  tx: Tx,
  projectId: string,
  experimentId: string,
  trials: NumberedTrialWrite[],
  opts: { returnTrials?: boolean } = {},
): Promise<Trial[]> {
  const returnTrials = opts.returnTrials ?? true;
  const items = trials.map((w) => ({
    ...trialProps(w),
    id: randomUUID(),
    number: int(w.number),
    name: caption(w.number, w.state, w.value),
    intermediateSteps: (w.intermediate ?? []).map((p) => int(p.step)),
    intermediateValues: (w.intermediate ?? []).map((p) => p.value),
    createdAt: w.createdAt ?? null,
    startedAt: w.startedAt ?? null,
    completedAt: w.completedAt ?? null,
    seq: int(w.seq ?? 0),
  }));
  const created = await rows(
    tx,
    `MATCH (e:Experiment {id: $experimentId})-[:OF_MODEL]->(m:Model)
     UNWIND $items AS item
     ${CREATE_TRIAL}
     ${returnTrials ? `RETURN ${TRIAL_FIELDS} ORDER BY t.number` : ''}`,
    { experimentId, projectId, items },
  );
  const completed = items.filter((t) => t.state === 'completed' && t.value !== null && !t.invalid).map((t) => ({ id: t.id, value: t.value }));
  if (completed.length) {
    await tx.run(
      `MATCH (e:Experiment {id: $experimentId})
       WITH e, reduce(b = null, c IN $completed |
         CASE WHEN b IS NULL OR (e.direction = 'maximize' AND c.value > b.value) OR (e.direction = 'minimize' AND c.value < b.value) THEN c ELSE b END) AS c
       SET e.completedCount = e.completedCount + $n
       ${UPDATE_BEST}`,
      { experimentId, completed, n: int(completed.length) },
    );
  }
  return created.map(toTrial);
}

export async function createTrials(graph: Graph, projectId: string, experimentId: string, trials: TrialWrite[]): Promise<Trial[]> {
  return write(graph, (tx) => createTrialsTx(tx, projectId, experimentId, trials));
}

export async function createTrial(graph: Graph, projectId: string, experimentId: string, trial: TrialWrite): Promise<Trial> {
  const [created] = await createTrials(graph, projectId, experimentId, [trial]);
  if (!created) throw new Error('trial was not created');
  return created;
}

export async function getTrial(graph: Graph, projectId: string, id: string): Promise<Trial> {
  const [row] = await read(graph, (tx) => rows(tx, `MATCH (t:Trial {id: $id}) WHERE t.projectId = $projectId RETURN ${TRIAL_FIELDS}`, { id, projectId }));
  if (!row) throw new NotFoundError('trial', id);
  return toTrial(row);
}

/** Write-locks a trial's experiment, then the trial (`e`, `t`): every writer of a trial takes them in this order. */
const LOCK_TRIAL = `MATCH (t:Trial {id: $id}) WHERE t.projectId = $projectId
     MATCH (e:Experiment {id: t.experimentId})
     SET e.lock = true REMOVE e.lock
     SET t.lock = true REMOVE t.lock`;

/**
 * Reads a trial after write-locking it, so check-then-update cannot interleave with another
 * request. Its experiment is locked first: every writer takes the experiment before its trials,
 * so concurrent writers queue instead of deadlocking.
 */
async function lockTrial(tx: Tx, projectId: string, id: string): Promise<Trial> {
  const [row] = await rows(
    tx,
    `${LOCK_TRIAL}
     RETURN ${TRIAL_FIELDS}`,
    { id, projectId },
  );
  if (!row) throw new NotFoundError('trial', id);
  return toTrial(row);
}

const OPEN: TrialState[] = ['queued', 'running', 'stale'];
const sameMetrics = (a: Record<string, number>, b: Record<string, number>) => json(Object.entries(a).sort()) === json(Object.entries(b).sort());

/** What a write did to its experiment: the event number it took, and the experiment's new updatedAt. */
export interface ExperimentEvent {
  seq: number;
  experimentUpdatedAt: string;
}

/** A result to store: the trial's objective value, optional metrics and duration. */
export interface TrialResult {
  value: number;
  metrics?: Record<string, number>;
  durationSeconds?: number;
}

/** What completing one trial did, or why it did not (NotFoundError, ConflictError). */
export type CompleteOutcome = { trial: Trial; changed: boolean; event?: ExperimentEvent } | { error: NotFoundError | ConflictError };

/**
 * Completing is idempotent: the same result again returns the stored trial unchanged. A late
 * result for a stale trial is accepted. A different result for a completed trial, or any result
 * for a failed or pruned one, is a conflict.
 */
export async function completeTrial(
  graph: Graph,
  projectId: string,
  id: string,
  result: TrialResult,
): Promise<{ trial: Trial; changed: boolean; event?: ExperimentEvent }> {
  const [outcome] = await completeTrials(graph, projectId, [{ id, ...result }]);
  if (!outcome || 'error' in outcome) throw outcome?.error ?? new NotFoundError('trial', id);
  return outcome;
}

/**
 * Completes several trials in one statement, so one transaction: one lock of each experiment and one
 * commit for results that arrived together (workers of one experiment all lock it; one at a time,
 * each tell waited for the others' commits). The outcome of each is what completeTrial alone would
 * give, in the order given, the same trial twice included; a result that is a conflict or names no
 * trial changes nothing and does not stop the others. Locks: the experiments in id order, then the
 * trials in id order, as every writer takes an experiment before its trials.
 */
export async function completeTrials(graph: Graph, projectId: string, results: (TrialResult & { id: string })[]): Promise<CompleteOutcome[]> {
  if (results.length === 0) return [];
  const items = results.map((r) => ({
    id: r.id,
    value: r.value,
    metrics: json(r.metrics ?? {}),
    duration: r.durationSeconds ?? null,
    // The caption's number part is filled in by the statement.
    nameSuffix: caption(0, 'completed', r.value).slice('#0'.length),
  }));
  // One statement, so its own transaction: lock, read each state, and complete only an open trial;
  // a trial that is not open is left as it was, so the conflicts below need no rollback.
  const found = await writeStatement<Record<string, unknown> & { i: number; before: TrialState; eventSeq: number; experimentUpdatedAt: string }>(
    graph,
    `CALL () {
       MATCH (t:Trial) WHERE t.id IN $batch.ids AND t.projectId = $projectId
       WITH DISTINCT t.experimentId AS experimentId ORDER BY experimentId
       MATCH (e:Experiment {id: experimentId})
       SET e.lock = true REMOVE e.lock
       RETURN count(e) AS experiments
     }
     CALL () {
       MATCH (t:Trial) WHERE t.id IN $batch.ids AND t.projectId = $projectId
       WITH t ORDER BY t.id
       SET t.lock = true REMOVE t.lock
       RETURN count(t) AS trials
     }
     UNWIND range(0, size($batch.items) - 1) AS i
     CALL (i) {
       WITH $batch.items[i] AS item
       MATCH (t:Trial {id: item.id}) WHERE t.projectId = $projectId
       MATCH (e:Experiment {id: t.experimentId})
       WITH item, t, e, t.state AS before
       CALL (item, t, e, before) {
         WITH * WHERE before IN $open
         SET t.state = 'completed', t.value = item.value, t.metrics = item.metrics, t.completedAt = datetime(),
             t.durationSeconds = coalesce(item.duration, CASE WHEN t.startedAt IS NULL THEN null
               ELSE duration.inSeconds(t.startedAt, datetime()).milliseconds / 1000.0 END),
             t.name = '#' + toString(t.number) + item.nameSuffix, e.completedCount = e.completedCount + 1, e.updatedAt = datetime(),
             t.finishedSeq = coalesce(e.eventSeq, 0) + 1, t.changedSeq = coalesce(e.eventSeq, 0) + 1,
             e.eventSeq = coalesce(e.eventSeq, 0) + 1
         WITH t, e, {id: t.id, value: t.value} AS c
         ${UPDATE_BEST}
       }
       RETURN before, coalesce(e.eventSeq, 0) AS eventSeq, toString(e.updatedAt) AS experimentUpdatedAt, ${TRIAL_FIELDS}
     }
     RETURN i, before, eventSeq, experimentUpdatedAt, id, experimentId, number, state, config, configHash, value, metrics,
       intermediateSteps, intermediateValues, proposedBy, strategy, reason, user, provenance, failReason, invalid, invalidReason,
       createdAt, startedAt, completedAt, durationSeconds`,
    { projectId, open: OPEN, batch: listParameters({ ids: [...new Set(items.map((r) => r.id))], items }) },
  );
  const byIndex = new Map(found.map((row) => [Number(row.i), row]));
  return results.map((result, i): CompleteOutcome => {
    const row = byIndex.get(i);
    if (!row) return { error: new NotFoundError('trial', result.id) };
    const { i: _i, before, eventSeq, experimentUpdatedAt, ...fields } = row;
    const t = toTrial(fields);
    if (OPEN.includes(before)) return { trial: t, changed: true, event: { seq: Number(eventSeq), experimentUpdatedAt: String(experimentUpdatedAt) } };
    if (before === 'completed') {
      if (t.value === result.value && sameMetrics(t.metrics, result.metrics ?? {})) return { trial: t, changed: false };
      return { error: new ConflictError(`trial #${t.number} is already completed with value ${t.value}`, { state: t.state, value: t.value }) };
    }
    return { error: new ConflictError(`trial #${t.number} is ${t.state}; it cannot be completed`, { state: t.state }) };
  });
}

export async function failTrial(graph: Graph, projectId: string, id: string, reason: string | null): Promise<{ trial: Trial; changed: boolean }> {
  return write(graph, async (tx) => {
    const t = await lockTrial(tx, projectId, id);
    if (t.state === 'failed') return { trial: t, changed: false };
    if (!OPEN.includes(t.state)) throw new ConflictError(`trial #${t.number} is ${t.state}; it cannot be marked failed`, { state: t.state });
    const [row] = await rows(
      tx,
      `MATCH (t:Trial {id: $id})<-[:HAS_TRIAL]-(e:Experiment)
       SET t.state = 'failed', t.failReason = $reason, t.completedAt = datetime(), t.name = $name,
           t.finishedSeq = coalesce(e.eventSeq, 0) + 1, t.changedSeq = coalesce(e.eventSeq, 0) + 1,
           e.eventSeq = coalesce(e.eventSeq, 0) + 1
       RETURN ${TRIAL_FIELDS}`,
      { id, reason, name: caption(t.number, 'failed', null) },
    );
    return { trial: toTrial(row as Record<string, unknown>), changed: true };
  });
}

/** One value per step: repeating a step with the same value is a no-op, with another value a conflict. */
export async function reportIntermediate(graph: Graph, projectId: string, id: string, step: number, value: number): Promise<Trial> {
  return write(graph, async (tx) => {
    const t = await lockTrial(tx, projectId, id);
    const existing = t.intermediate.find((p) => p.step === step);
    if (existing) {
      if (existing.value === value) return t;
      throw new ConflictError(`trial #${t.number} already has value ${existing.value} at step ${step}`, { step, value: existing.value });
    }
    if (!['running', 'stale'].includes(t.state))
      throw new ConflictError(`trial #${t.number} is ${t.state}; report intermediate values while it runs`, { state: t.state });
    const points = [...t.intermediate, { step, value }].sort((a, b) => a.step - b.step);
    const [row] = await rows(
      tx,
      `MATCH (t:Trial {id: $id}) SET t.intermediateSteps = $steps, t.intermediateValues = $values, t.state = 'running'
       RETURN ${TRIAL_FIELDS}`,
      { id, steps: points.map((p) => int(p.step)), values: points.map((p) => p.value) },
    );
    return toTrial(row as Record<string, unknown>);
  });
}

export async function listAllTrialsTx(tx: Tx, experimentId: string): Promise<Trial[]> {
  const found = await rows(tx, `MATCH (:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial) RETURN ${TRIAL_FIELDS} ORDER BY t.number`, { experimentId });
  return found.map(toTrial);
}

export async function listTrials(
  graph: Graph,
  projectId: string,
  experimentId: string,
  q: { state?: TrialState; limit: number; offset: number },
): Promise<{ items: Trial[]; total: number }> {
  return read(graph, async (tx) => {
    const [exists] = await rows(tx, 'MATCH (e:Experiment {id: $experimentId}) WHERE e.projectId = $projectId RETURN e.id AS id', { experimentId, projectId });
    if (!exists) throw new NotFoundError('experiment', experimentId);
    const params = { experimentId, state: q.state ?? null, limit: int(q.limit), offset: int(q.offset) };
    // From the experiment node, so only its trials are read, never the whole label.
    const match = 'MATCH (:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial) WHERE $state IS NULL OR t.state = $state';
    const [count] = await rows<{ total: number }>(tx, `${match} RETURN count(t) AS total`, params);
    const items = await rows(tx, `${match} RETURN ${TRIAL_FIELDS} ORDER BY t.number SKIP $offset LIMIT $limit`, params);
    return { items: items.map(toTrial), total: count?.total ?? 0 };
  });
}
/**
 * Marks a completed trial's result invalid: kept in history, excluded from learning from the
 * next suggestion on. The experiment's best trial is recomputed without it.
 */
export async function invalidateTrial(graph: Graph, projectId: string, trialId: string, reason: string | null): Promise<Trial> {
  return write(graph, async (tx) => {
    const [t] = await rows<{ invalid: boolean; experimentId: string }>(
      tx,
      `MATCH (t:Trial {id: $trialId}) WHERE t.projectId = $projectId
       MATCH (e:Experiment {id: t.experimentId}) SET e.lock = true REMOVE e.lock
       RETURN coalesce(t.invalid, false) AS invalid, t.experimentId AS experimentId`,
      { trialId, projectId },
    );
    if (!t) throw new NotFoundError('trial', trialId);
    if (!t.invalid) {
      await tx.run(
        `MATCH (t:Trial {id: $trialId})<-[:HAS_TRIAL]-(e:Experiment)
         SET t.invalid = true, t.invalidReason = $reason, t.invalidatedSeq = coalesce(e.eventSeq, 0) + 1, t.changedSeq = coalesce(e.eventSeq, 0) + 1,
             e.eventSeq = coalesce(e.eventSeq, 0) + 1, e.bestTrialId = null, e.bestValue = null,
             e.completedCount = e.completedCount - CASE WHEN t.state = 'completed' THEN 1 ELSE 0 END
         WITH e
         MATCH (e)-[:HAS_TRIAL]->(c:Trial)
         WHERE c.state = 'completed' AND c.value IS NOT NULL AND NOT coalesce(c.invalid, false)
         WITH e, c ORDER BY CASE e.direction WHEN 'maximize' THEN -c.value ELSE c.value END, c.completedAt, c.number
         WITH e, collect({id: c.id, value: c.value})[0] AS c
         WHERE c IS NOT NULL
         ${UPDATE_BEST}`,
        { trialId, reason },
      );
    }
    const [row] = await rows(tx, `MATCH (t:Trial {id: $trialId}) RETURN ${TRIAL_FIELDS}`, { trialId });
    return toTrial(row as Record<string, unknown>);
  });
}
