import { int } from 'neo4j-driver';
import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Experiment, Trial, WarmStart } from '../model.ts';
import { json, parseJson, read, rows, write, type Tx } from '../tx.ts';
import { DATASET_FIELDS, toDataset } from './datasets.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_MATCH, getExperimentTx, toExperiment } from './experiments.ts';
import { TRIAL_FIELDS, UPDATE_BEST, createTrialsTx, toTrial, type TrialWrite } from './trials.ts';

/**
 * A trial as the optimizer's history sees it. The *Seq fields place each change on the
 * experiment's event sequence, so the state of the history at any past suggestion can be
 * reconstructed exactly (replay).
 */
export interface HistoryTrial {
  id: string;
  number: number;
  config: Record<string, string | number | null>;
  configHash: string;
  state: Trial['state'];
  value: number | null;
  proposedBy: Trial['proposedBy'];
  provenance: Record<string, unknown> | null;
  createdSeq: number;
  finishedSeq: number | null;
  invalidatedSeq: number | null;
  staleSeq: number | null;
}

export interface ExperimentHistory {
  experiment: Experiment;
  eventSeq: number;
  metaFeatures: Record<string, number>;
  trials: HistoryTrial[];
}

const HISTORY_TRIAL = `{id: t.id, number: t.number, config: t.config, configHash: t.configHash, state: t.state, value: t.value,
  proposedBy: t.proposedBy, provenance: t.provenance, createdSeq: coalesce(t.createdSeq, 0), finishedSeq: t.finishedSeq,
  invalidatedSeq: t.invalidatedSeq, staleSeq: t.staleSeq}`;

function toHistoryTrial(raw: Record<string, unknown>): HistoryTrial {
  return {
    ...(raw as unknown as HistoryTrial),
    config: parseJson(raw.config, {}),
    provenance: parseJson(raw.provenance, null),
  };
}

/** The experiment, its dataset's meta-features and every trial, read as one consistent snapshot. */
export async function readHistories(graph: Graph, projectId: string, ids: string[], onlyFinished = false): Promise<Map<string, ExperimentHistory>> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `UNWIND $ids AS eid
       ${EXPERIMENT_MATCH} WHERE e.id = eid AND e.projectId = $projectId
       CALL (e) {
         OPTIONAL MATCH (e)-[:HAS_TRIAL]->(t:Trial)
         WHERE NOT $onlyFinished OR (t.state = 'completed' AND t.value IS NOT NULL)
         WITH t ORDER BY t.number
         RETURN collect(${HISTORY_TRIAL}) AS trials
       }
       RETURN ${EXPERIMENT_FIELDS}, coalesce(e.eventSeq, 0) AS eventSeq, ${DATASET_FIELDS.replaceAll(' AS ', ' AS ds_')}, trials`,
      { ids, projectId, onlyFinished },
    ),
  );
  const out = new Map<string, ExperimentHistory>();
  for (const r of found) {
    const experiment = toExperiment(r);
    const ds: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k.startsWith('ds_')) ds[k.slice(3)] = v;
    out.set(experiment.id, {
      experiment,
      eventSeq: Number(r.eventSeq),
      metaFeatures: toDataset(ds).metaFeatures,
      trials: (r.trials as Record<string, unknown>[]).filter((t) => t.id !== null).map(toHistoryTrial),
    });
  }
  return out;
}

export async function readHistory(graph: Graph, projectId: string, id: string): Promise<ExperimentHistory> {
  const h = (await readHistories(graph, projectId, [id])).get(id);
  if (!h) throw new NotFoundError('experiment', id);
  return h;
}

/** Current event sequence numbers, to tell whether a cached prior is still current. */
export async function eventSeqs(graph: Graph, projectId: string, ids: string[]): Promise<Map<string, number>> {
  const found = await read(graph, (tx) =>
    rows<{ id: string; seq: number }>(tx, 'MATCH (e:Experiment) WHERE e.id IN $ids AND e.projectId = $projectId RETURN e.id AS id, coalesce(e.eventSeq, 0) AS seq', { ids, projectId }),
  );
  return new Map(found.map((r) => [r.id, Number(r.seq)]));
}

/** Hands out configurations a person queued, oldest first, as running trials. */
export async function claimQueued(graph: Graph, projectId: string, experimentId: string, count: number): Promise<Trial[]> {
  return write(graph, async (tx) => {
    await lockRunning(tx, projectId, experimentId);
    const found = await rows(
      tx,
      `MATCH (e:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial {state: 'queued'})
       WITH e, t ORDER BY t.number LIMIT $count
       SET t.state = 'running', t.startedAt = datetime()
       RETURN ${TRIAL_FIELDS} ORDER BY t.number`,
      { experimentId, count: int(count) },
    );
    return found.map(toTrial);
  });
}

/** Write-locks the experiment and refuses paused or finished ones, saying which. */
async function lockRunning(tx: Tx, projectId: string, experimentId: string): Promise<void> {
  const [e] = await rows<{ status: string; maxTrials: string | null; trialCount: number }>(
    tx,
    `MATCH (e:Experiment {id: $experimentId}) WHERE e.projectId = $projectId
     SET e.lock = true REMOVE e.lock
     RETURN e.status AS status, e.trialCount AS trialCount`,
    { experimentId, projectId },
  );
  if (!e) throw new NotFoundError('experiment', experimentId);
  if (e.status !== 'running') throw notRunning(e.status);
}

export function notRunning(status: string): ConflictError {
  return new ConflictError(
    status === 'paused' ? 'the experiment is paused; resume it to get suggestions' : 'the experiment is finished; it takes no new trials',
    { status },
  );
}

export interface SuggestionWrite extends Omit<TrialWrite, 'state' | 'proposedBy'> {
  /** Prior trials the configuration came from (warm start), with their weights. */
  sources: { trialId: string; weight: number }[];
}

export interface PriorUse {
  experimentId: string;
  similarity: number | null;
  weight: number;
}

/**
 * Records one batch of suggestions atomically: the running trials with their provenance,
 * (Trial)-[:SUGGESTED_FROM]->(prior Trial) for warm-start sources and
 * (Experiment)-[:WARM_STARTED_FROM]->(prior Experiment) with the latest similarity and weight.
 * Configurations that became pending meanwhile (another writer) are dropped, never duplicated.
 */
export async function recordSuggestions(
  graph: Graph,
  projectId: string,
  experimentId: string,
  items: SuggestionWrite[],
  priors: PriorUse[],
): Promise<Trial[]> {
  return write(graph, async (tx) => {
    await lockRunning(tx, projectId, experimentId);
    const pending = new Set(
      (
        await rows<{ hash: string }>(
          tx,
          `MATCH (t:Trial) WHERE t.experimentId = $experimentId AND t.state IN ['queued', 'running'] AND t.configHash IN $hashes
           RETURN t.configHash AS hash`,
          { experimentId, hashes: items.map((i) => i.configHash) },
        )
      ).map((r) => r.hash),
    );
    // Also within the batch: a nearly exhausted finite space can make the optimizer repeat itself.
    const fresh = items.filter((i) => {
      if (pending.has(i.configHash)) return false;
      pending.add(i.configHash);
      return true;
    });
    if (fresh.length === 0) return [];
    const trials = await createTrialsTx(
      tx,
      projectId,
      experimentId,
      fresh.map(({ sources: _sources, ...w }) => ({ ...w, state: 'running' as const, proposedBy: 'optimizer' as const })),
    );
    const links = trials.flatMap((t, i) => (fresh[i]?.sources ?? []).map((s) => ({ from: t.id, to: s.trialId, weight: s.weight })));
    if (links.length) {
      await tx.run(
        `UNWIND $links AS l
         MATCH (t:Trial {id: l.from}), (p:Trial {id: l.to}) WHERE p.projectId = $projectId
         CREATE (t)-[:SUGGESTED_FROM {weight: l.weight}]->(p)`,
        { links, projectId },
      );
    }
    if (priors.length) {
      // Creating a relationship write-locks both experiments, and many experiments warm-start
      // from the same priors: create each link once, afterwards only update its properties.
      const existing = new Set(
        (
          await rows<{ id: string }>(tx, 'MATCH (:Experiment {id: $experimentId})-[:WARM_STARTED_FROM]->(p:Experiment) RETURN p.id AS id', { experimentId })
        ).map((r) => r.id),
      );
      const fresh = priors.filter((p) => !existing.has(p.experimentId));
      const known = priors.filter((p) => existing.has(p.experimentId));
      if (known.length) {
        await tx.run(
          `MATCH (e:Experiment {id: $experimentId})-[w:WARM_STARTED_FROM]->(prior:Experiment)
           WITH w, prior, [p IN $priors WHERE p.experimentId = prior.id][0] AS p WHERE p IS NOT NULL
           SET w.similarity = p.similarity, w.weight = p.weight, w.lastAt = datetime(), w.uses = w.uses + 1`,
          { experimentId, priors: known },
        );
      }
      if (fresh.length) {
        await tx.run(
          `MATCH (e:Experiment {id: $experimentId})
           UNWIND $priors AS p
           MATCH (prior:Experiment {id: p.experimentId}) WHERE prior.projectId = $projectId
           CREATE (e)-[:WARM_STARTED_FROM {similarity: p.similarity, weight: p.weight, firstAt: datetime(), lastAt: datetime(), uses: 1}]->(prior)`,
          { experimentId, priors: fresh, projectId },
        );
      }
    }
    return trials;
  });
}

/** Running trials older than the timeout become stale: no longer pending, but a late result is still accepted. */
export async function markStale(graph: Graph, projectId: string, experimentId: string, timeoutSeconds: number): Promise<number> {
  return write(graph, async (tx) => {
    const [r] = await rows<{ n: number }>(
      tx,
      `MATCH (e:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial {state: 'running'})
       WHERE e.projectId = $projectId AND t.startedAt < datetime() - duration({seconds: $timeout})
       WITH e, collect(t) AS stale WHERE size(stale) > 0
       SET e.eventSeq = coalesce(e.eventSeq, 0) + 1
       WITH e, stale
       UNWIND stale AS t
       SET t.state = 'stale', t.staleSeq = e.eventSeq, t.name = '#' + toString(t.number) + ' stale'
       RETURN count(t) AS n`,
      { experimentId, projectId, timeout: timeoutSeconds },
    );
    return Number(r?.n ?? 0);
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
         SET t.invalid = true, t.invalidReason = $reason, t.invalidatedSeq = coalesce(e.eventSeq, 0) + 1,
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

/**
 * Changes an experiment's warm-start, optimizer or budget settings while it runs. Warm-start fields
 * not given keep their stored values (merged here, in the transaction that writes them). Each change
 * is kept as a (:SettingsChange) node with before and after, so the history says who trusted what when.
 */
export async function updateSettings(
  graph: Graph,
  projectId: string,
  experimentId: string,
  changes: { warmStart?: Partial<WarmStart>; optimizer?: unknown; budget?: unknown },
  by: string | null,
): Promise<Experiment> {
  return write(graph, async (tx) => {
    const before = await getExperimentTx(tx, projectId, experimentId);
    const patch = { ...changes, ...(changes.warmStart ? { warmStart: { ...before.warmStart, ...changes.warmStart } } : {}) };
    const fields = (['warmStart', 'optimizer', 'budget'] as const).filter((f) => patch[f] !== undefined && json(patch[f]) !== json(before[f]));
    if (fields.length === 0) return before;
    await tx.run(
      `MATCH (e:Experiment {id: $experimentId})
       SET e.warmStart = coalesce($warmStart, e.warmStart), e.optimizer = coalesce($optimizer, e.optimizer),
           e.budget = coalesce($budget, e.budget), e.updatedAt = datetime(), e.eventSeq = coalesce(e.eventSeq, 0) + 1
       CREATE (e)-[:HAS_CHANGE]->(:SettingsChange {
         id: $changeId, projectId: $projectId, name: $name, fields: $fields, before: $before, after: $after,
         by: $by, at: datetime(), seq: e.eventSeq
       })`,
      {
        experimentId,
        projectId,
        changeId: randomUUID(),
        name: `changed ${fields.join(', ')}`,
        fields,
        warmStart: patch.warmStart === undefined ? null : json(patch.warmStart),
        optimizer: patch.optimizer === undefined ? null : json(patch.optimizer),
        budget: patch.budget === undefined ? null : json(patch.budget),
        before: json(Object.fromEntries(fields.map((f) => [f, before[f]]))),
        after: json(Object.fromEntries(fields.map((f) => [f, patch[f]]))),
        by,
      },
    );
    return getExperimentTx(tx, projectId, experimentId);
  });
}

export interface SettingsChange {
  at: string;
  seq: number;
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  by: string | null;
}

export async function settingsChanges(graph: Graph, projectId: string, experimentId: string): Promise<SettingsChange[]> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `MATCH (e:Experiment {id: $experimentId})-[:HAS_CHANGE]->(c:SettingsChange) WHERE e.projectId = $projectId
       RETURN toString(c.at) AS at, c.seq AS seq, c.fields AS fields, c.before AS before, c.after AS after, c.by AS by ORDER BY c.seq`,
      { experimentId, projectId },
    ),
  );
  return found.map((r) => ({ ...(r as unknown as SettingsChange), before: parseJson(r.before, {}), after: parseJson(r.after, {}) }));
}
