// An experiment's history as the optimizer reads it: whole, since an event number, or for many experiments at once.
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import type { Configuration, Experiment, Trial } from '../model.ts';
import { listParameters, parseJson, readStatement, writeStatement } from '../tx.ts';
import { DATASET_FIELDS, toDataset } from './datasets.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_MATCH, toExperiment } from './experiments.ts';

/**
 * A trial as the optimizer's history sees it. The *Seq fields place each change on the
 * experiment's event sequence, so the state of the history at any past suggestion can be
 * reconstructed exactly (replay).
 */
export interface HistoryTrial {
  id: string;
  number: number;
  config: Configuration;
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

/**
 * The experiment, its dataset's meta-features and every trial, read as one consistent snapshot.
 *
 * History reads write-lock the experiment (the `SET e.lock = true REMOVE e.lock` of graph/README.md)
 * for their one statement, experiments in id order. Neo4j reads are read-committed without
 * snapshots: a committing transaction's changes become visible record by record (properties, then
 * nodes, then index entries), so a lock-free read can see a write's new event number while missing
 * the trial it changed (an index seek by changedSeq then does not find it, or its properties are
 * still the old ones). Such a history is wrong at its own event number: a suggestion computed from
 * it treats a finished trial as pending, and replay, reading the finished trial, recomputes
 * something else. Every write that changes a trial holds its experiment's write lock until the
 * change is applied in full, so a read holding that lock sees each event whole.
 */
export async function readHistories(graph: Graph, projectIds: string[], ids: string[], onlyFinished = false): Promise<Map<string, ExperimentHistory>> {
  const found = await writeStatement(
    graph,
    `UNWIND $ids AS eid
     ${EXPERIMENT_MATCH} WHERE e.id = eid AND e.projectId IN $projectIds
     SET e.lock = true REMOVE e.lock
     WITH d, e, m
     CALL (e) {
       OPTIONAL MATCH (e)-[:HAS_TRIAL]->(t:Trial)
       WHERE NOT $onlyFinished OR (t.state = 'completed' AND t.value IS NOT NULL)
       WITH t ORDER BY t.number
       RETURN collect(${HISTORY_TRIAL}) AS trials
     }
     RETURN ${EXPERIMENT_FIELDS}, coalesce(e.eventSeq, 0) AS eventSeq, ${DATASET_FIELDS.replaceAll(' AS ', ' AS ds_')}, trials`,
    { ids: [...ids].sort(), projectIds, onlyFinished },
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
  const h = (await readHistories(graph, [projectId], [id])).get(id);
  if (!h) throw new NotFoundError('experiment', id);
  return h;
}

/**
 * readHistorySince's statement; exported so a test can profile what it reads. The index hints keep
 * the read proportional to what changed whatever the statistics say: a plan that seeks the
 * experiment's trials by another index (its trial numbers) and filters reads them all.
 */
export const HISTORY_SINCE = `${EXPERIMENT_MATCH} WHERE e.id = $id AND e.projectId = $projectId
   SET e.lock = true REMOVE e.lock
   WITH d, e, m, coalesce(e.eventSeq, 0) AS eventSeq
   CALL (e) {
     CALL (e) {
       MATCH (e)-[:HAS_TRIAL]->(t:Trial) WHERE $since IS NULL
       RETURN t
       UNION
       MATCH (t:Trial) USING INDEX t:Trial(experimentId, changedSeq)
       WHERE $since IS NOT NULL AND t.experimentId = $id AND t.changedSeq >= $since
       RETURN t
       UNION
       MATCH (t:Trial) USING INDEX t:Trial(experimentId, state)
       WHERE $since IS NOT NULL AND t.experimentId = $id AND t.state IN ['queued', 'stale', 'running']
         AND (t.state = 'queued' OR (t.staleSeq IS NOT NULL AND t.finishedSeq IS NULL))
       RETURN t
     }
     WITH t ORDER BY t.number
     RETURN collect(${HISTORY_TRIAL}) AS trials
   }
   CALL () {
     UNWIND $priors.ids AS pid
     MATCH (p:Experiment {id: pid}) WHERE p.projectId IN $priors.projects
     RETURN collect([p.id, coalesce(p.eventSeq, 0)]) AS priorSeqs
   }
   RETURN ${EXPERIMENT_FIELDS}, eventSeq, ${DATASET_FIELDS.replaceAll(' AS ', ' AS ds_')}, trials, priorSeqs`;

/**
 * The experiment, its dataset's meta-features, its event sequence number and the trials that may
 * have changed since event `since`: every trial with an event at or after `since`, plus the two
 * kinds whose state can change without an event: queued trials (claiming one) and stale trials not
 * finished (an intermediate report puts one back to running). `since` null reads every trial.
 * A trial's latest event is its `changedSeq`, and the (experimentId, changedSeq) index finds those
 * trials directly: the cost of a read follows what changed, not how many trials the experiment has.
 *
 * The read holds the experiment's write lock (see readHistories), so no write of this experiment
 * is half visible: every event up to `eventSeq` is read whole, and none after it.
 * `priorIds`: experiments whose current event sequence numbers to read along (see eventSeqs).
 */
export async function readHistorySince(
  graph: Graph,
  projectId: string,
  id: string,
  since: number | null,
  priorIds: string[] = [],
  priorProjects: string[] = [projectId],
): Promise<ExperimentHistory & { priorSeqs: Map<string, number> }> {
  const [r] = await writeStatement(graph, HISTORY_SINCE, {
    id,
    projectId,
    since: since === null ? null : int(since),
    priors: listParameters({ ids: priorIds, projects: priorProjects }),
  });
  if (!r) throw new NotFoundError('experiment', id);
  const ds: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('ds_')) ds[k.slice(3)] = v;
  return {
    experiment: toExperiment(r),
    eventSeq: Number(r.eventSeq),
    metaFeatures: toDataset(ds).metaFeatures,
    trials: (r.trials as Record<string, unknown>[]).filter((t) => t.id !== null).map(toHistoryTrial),
    priorSeqs: new Map((r.priorSeqs as [string, number][]).map(([pid, seq]) => [pid, Number(seq)])),
  };
}

/**
 * Brings a history read earlier up to date with readHistorySince(cached.eventSeq): the result equals
 * what a full read at `delta`'s time gives. Trials are never deleted, every change of a trial moves
 * the event sequence except the two readHistorySince always returns, and a cached queued trial that
 * is no longer queued (nor changed by an event) was claimed, which makes it running.
 */
export function mergeHistory(cached: ExperimentHistory, delta: ExperimentHistory): ExperimentHistory {
  const { experiment, eventSeq, metaFeatures } = delta;
  const trials = cached.trials.slice();
  const at = new Map(trials.map((t, i) => [t.id, i]));
  const queued = new Set<string>();
  for (const t of delta.trials) {
    if (t.state === 'queued') queued.add(t.id);
    const i = at.get(t.id);
    if (i === undefined) trials.push(t);
    else trials[i] = t;
  }
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    if (t.state === 'queued' && !queued.has(t.id)) trials[i] = { ...t, state: 'running' };
  }
  for (let i = 1; i < trials.length; i++) {
    if (trials[i - 1]!.number > trials[i]!.number) {
      trials.sort((a, b) => a.number - b.number);
      break;
    }
  }
  return { experiment, eventSeq, metaFeatures, trials };
}

/** Current event sequence numbers, to tell whether a cached prior is still current. */
export async function eventSeqs(graph: Graph, projectIds: string[], ids: string[]): Promise<Map<string, number>> {
  const found = await readStatement<{ id: string; seq: number }>(
    graph,
    'MATCH (e:Experiment) WHERE e.id IN $ids AND e.projectId IN $projectIds RETURN e.id AS id, coalesce(e.eventSeq, 0) AS seq',
    { ids, projectIds },
  );
  return new Map(found.map((r) => [r.id, Number(r.seq)]));
}

/** Hands out configurations a person queued, oldest first, as running trials. */
