import { int } from 'neo4j-driver';
import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Configuration, Experiment, Trial, WarmStart } from '../model.ts';
import { json, listParameters, parseJson, read, readStatement, rows, write, writeStatement, type Tx } from '../tx.ts';
import { DATASET_FIELDS, toDataset } from './datasets.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_MATCH, getExperimentTx, toExperiment } from './experiments.ts';
import { CREATE_TRIAL_NODE, configFields, linkConfig, TRIAL_FIELDS, UPDATE_BEST, toTrial, trialProps, type TrialWrite } from './trials.ts';

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
/**
 * Hands out queued trials in number order, one per entry of `requestKeys`: the Idempotency-Key of
 * the request each goes to (or null), kept on the trial so a retry after a crash finds it.
 */
export async function claimQueued(graph: Graph, projectId: string, experimentId: string, requestKeys: (string | null)[]): Promise<Trial[]> {
  return write(graph, async (tx) => {
    await lockRunning(tx, projectId, experimentId);
    const found = await rows(
      tx,
      `MATCH (e:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial {state: 'queued'})
       WITH t ORDER BY t.number LIMIT $count
       WITH collect(t) AS queued
       UNWIND range(0, size(queued) - 1) AS k
       WITH queued[k] AS t, $requestKeys[k] AS requestKey
       SET t.state = 'running', t.startedAt = datetime(), t.requestKey = requestKey
       RETURN ${TRIAL_FIELDS} ORDER BY t.number`,
      { experimentId, count: int(requestKeys.length), requestKeys },
    );
    return found.map(toTrial);
  });
}

/** The trials an earlier attempt of a request handed out (see claimQueued and recordSuggestions), in number order. */
export async function trialsOfRequest(graph: Graph, projectId: string, experimentId: string, requestKey: string): Promise<Trial[]> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `MATCH (t:Trial) WHERE t.experimentId = $experimentId AND t.projectId = $projectId AND t.requestKey = $requestKey
       RETURN ${TRIAL_FIELDS} ORDER BY t.number`,
      { experimentId, projectId, requestKey },
    ),
  );
  return found.map(toTrial);
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
  /** The Idempotency-Key of the request it goes to: a retry after a crash finds the trial by it. */
  requestKey?: string | null;
}

export interface PriorUse {
  experimentId: string;
  similarity: number | null;
  weight: number;
}

/** A (Trial)-[:SUGGESTED_FROM {weight}]->(prior Trial) edge still to be written (see writeBatchLinks). */
export interface SourceLink {
  from: string;
  to: string;
  weight: number;
}

/** A (Trial)-[:EVALUATES]->(Config) edge still to be written (see writeBatchLinks): the trial's item fields. */
export interface ConfigLink {
  trialId: string;
  modelId: string;
  projectId: string;
  configHash: string;
  configName: string;
  config: string;
  configParams: Record<string, unknown>;
}

/** The edges of one recorded batch that are written after it commits. */
export interface BatchLinks {
  sources: SourceLink[];
  configs: ConfigLink[];
}

/**
 * What recordSuggestions wrote, and the experiment around it: its event number before and after
 * the write (equal when nothing was written), trial count and updatedAt after it, and the current
 * event numbers of the `priorIds` asked for. `outdated`: the experiment was not at `expectSeq`, so
 * nothing was written.
 */
export interface RecordedBatch {
  trials: Trial[];
  /** For each trial, the index of its item in the batch recorded. */
  indices: number[];
  links: BatchLinks;
  seqBefore: number;
  seqAfter: number;
  trialCount: number;
  experimentUpdatedAt: string;
  priorSeqs: Map<string, number>;
  outdated: boolean;
}

/**
 * Records one batch of suggestions atomically, in one statement (so one auto-commit transaction,
 * see writeStatement): it write-locks the experiment, checks that it is running, drops the
 * configurations that became pending meanwhile (another writer; never duplicated), creates the
 * running trials with their provenance and updates (Experiment)-[:WARM_STARTED_FROM]->(prior
 * Experiment) with the latest similarity and weight. A paused, finished or missing experiment gets
 * no write at all. The priors are reached through the experiment's own WARM_STARTED_FROM edges,
 * which also bring their event numbers: a look-up by id in a writing statement takes an index
 * lock, and two per prior (about a hundred per ask) were an eighth of Neo4j's time in a warm
 * initial design. Only priors without an edge yet are looked up by id.
 *
 * The (Trial)-[:SUGGESTED_FROM]->(prior Trial) edges are returned as `links`, to be written by
 * writeBatchLinks after this transaction commits: creating a relationship write-locks both of its
 * nodes, and many experiments warm-starting from the same priors link to the same prior trials, so
 * holding those locks for the whole batch transaction serialized all of them. For the same reason a
 * configuration taken from a prior (a suggestion with sources) gets its (Trial)-[:EVALUATES]->(Config)
 * edge there too: every experiment warm-starting from those priors tries the same configurations, so
 * their Config nodes are the most contended of all. Other configurations are linked here. Likewise a
 * WARM_STARTED_FROM link is created once, at its first use, and afterwards only its properties change.
 * A trial whose edges are deferred is created with `linksPending`, which writeBatchLinks removes: if
 * that write fails or the process stops first, pendingLinks finds the trial again.
 */
export async function recordSuggestions(
  graph: Graph,
  projectId: string,
  experimentId: string,
  items: SuggestionWrite[],
  priors: PriorUse[],
  priorProjects: string[] = [projectId],
  opts: {
    expectSeq?: number | null;
    priorIds?: string[];
    /** The experiment's event number the batch was computed from (see below), and the budget it read then. */
    read?: { seq: number; maxTrials?: number };
  } = {},
): Promise<RecordedBatch> {
  // A nearly exhausted finite space can make the optimizer repeat itself: first occurrence wins.
  const seen = new Set<string>();
  const uniqueAt = items.flatMap((item, i) => (!seen.has(item.configHash) && seen.add(item.configHash) ? [i] : []));
  const unique = uniqueAt.map((i) => items[i]!);
  const props = unique.map(({ sources: _sources, requestKey: _key, ...w }) => trialProps({ ...w, state: 'running', proposedBy: 'optimizer' }));
  const expectSeq = opts.expectSeq ?? null;
  // Another process may have recorded trials since the batch was computed (from the history at event
  // readSeq): a configuration it did not know was tried is dropped, the batch is cut to what is left
  // of the budget it read, and the whole batch is refused as outdated when the budget changed since.
  const readSeq = opts.read === undefined ? null : int(opts.read.seq);
  const maxTrials = opts.read?.maxTrials === undefined ? null : int(opts.read.maxTrials);
  const found = await writeStatement(
    graph,
    `MATCH (e:Experiment {id: $experimentId}) WHERE e.projectId = $projectId
     SET e.lock = true REMOVE e.lock
     WITH e, coalesce(e.eventSeq, 0) AS seqBefore
     CALL (e) {
       // Pending configurations are never handed out twice. A finished one is repeated only when the
       // batch knew it (an exhausted finite space): one recorded since the read, by another process,
       // is a collision (the same seed at the same event) or a candidate that is already done.
       OPTIONAL MATCH (t:Trial) USING INDEX t:Trial(experimentId, configHash)
       WHERE t.experimentId = $experimentId AND t.configHash IN $batch.hashes
         AND (t.state IN ['queued', 'running'] OR ($readSeq IS NOT NULL AND t.createdSeq > $readSeq AND t.state IN ['completed', 'failed']))
       RETURN collect(t.configHash) AS taken
     }
     WITH e, seqBefore, taken,
       ($expectSeq IS NOT NULL AND seqBefore <> $expectSeq) OR ($readSeq IS NOT NULL AND coalesce(e.budgetSeq, -1) > $readSeq) AS outdated
     WITH e, seqBefore, outdated, [k IN range(0, size($batch.items) - 1)
       WHERE e.status = 'running' AND NOT outdated AND NOT $batch.items[k].configHash IN taken] AS fresh
     WITH e, seqBefore, outdated, fresh[0..CASE WHEN $maxTrials IS NULL THEN size(fresh) WHEN $maxTrials > e.trialCount THEN $maxTrials - e.trialCount ELSE 0 END] AS keep
     CALL (e) {
       MATCH (e)-[w:WARM_STARTED_FROM]->(x:Experiment)
       RETURN collect({id: x.id, seq: coalesce(x.eventSeq, 0), visible: x.projectId IN $batch.priorProjects, w: w}) AS linked
     }
     CALL (linked) {
       UNWIND [pid IN $batch.priorIds WHERE NONE(l IN linked WHERE l.id = pid)] AS pid
       MATCH (p:Experiment {id: pid}) WHERE p.projectId IN $batch.priorProjects
       RETURN collect([p.id, coalesce(p.eventSeq, 0)]) AS unlinked
     }
     WITH e, seqBefore, outdated, keep, linked, [l IN linked WHERE l.visible AND l.id IN $batch.priorIds | [l.id, l.seq]] + unlinked AS priorSeqs
     OPTIONAL CALL (e, keep, linked) {
       WITH * WHERE size(keep) > 0
       MATCH (e)-[:OF_MODEL]->(m:Model)
       CALL (e, linked) {
         UNWIND $batch.priors AS p
         WITH e, p, [l IN linked WHERE l.id = p.experimentId | l.w] AS had
         CALL (p, had) {
           UNWIND had AS w
           SET w.similarity = coalesce(p.similarity, w.similarity), w.weight = p.weight, w.lastAt = datetime(), w.uses = w.uses + 1
         }
         WITH e, p WHERE size(had) = 0
         MATCH (prior:Experiment {id: p.experimentId}) WHERE prior.projectId IN $batch.priorProjects
         CREATE (e)-[:WARM_STARTED_FROM {similarity: p.similarity, weight: p.weight, firstAt: datetime(), lastAt: datetime(), uses: 1}]->(prior)
       }
       SET e.trialCount = e.trialCount + size(keep), e.updatedAt = datetime(), e.eventSeq = coalesce(e.eventSeq, 0) + 1
       WITH e, m, keep, e.trialCount - size(keep) AS base, e.eventSeq AS seq
       UNWIND range(0, size(keep) - 1) AS k
       WITH e, m, base + k AS number, seq, $batch.items[keep[k]] AS raw
       WITH e, m, raw {.*, number: number, seq: seq, name: '#' + toString(number) + ' running'} AS item
       ${CREATE_TRIAL_NODE}
       SET t.linksPending = CASE WHEN item.deferConfig THEN true END, t.requestKey = item.requestKey
       WITH e, m, item, t
       CALL (m, item, t) {
         WITH * WHERE NOT item.deferConfig
         ${linkConfig()}
       }
       RETURN t, m.id AS modelId, item.batchIndex AS batchIndex
     }
     RETURN e.status AS status, outdated, seqBefore, coalesce(e.eventSeq, 0) AS seqAfter, e.trialCount AS trialCount,
       toString(e.updatedAt) AS experimentUpdatedAt, priorSeqs, modelId, batchIndex, ${TRIAL_FIELDS} ORDER BY t.number`,
    {
      experimentId,
      projectId,
      expectSeq: expectSeq === null ? null : int(expectSeq),
      readSeq,
      maxTrials,
      batch: listParameters({
        priorProjects,
        priors,
        priorIds: opts.priorIds ?? [],
        hashes: unique.map((i) => i.configHash),
        items: unique.map(({ sources, requestKey }, i) => ({
          ...props[i]!,
          batchIndex: i,
          requestKey: requestKey ?? null,
          deferConfig: sources.length > 0,
          id: randomUUID(),
          intermediateSteps: [],
          intermediateValues: [],
          createdAt: null,
          startedAt: null,
          completedAt: null,
        })),
      }),
    },
  );
  const head = found[0];
  if (head === undefined) throw new NotFoundError('experiment', experimentId);
  if (head.status !== 'running') throw notRunning(String(head.status));
  const seqBefore = Number(head.seqBefore);
  const state = {
    seqBefore,
    seqAfter: Number(head.seqAfter),
    trialCount: Number(head.trialCount),
    experimentUpdatedAt: String(head.experimentUpdatedAt),
    priorSeqs: new Map((head.priorSeqs as [string, number][]).map(([pid, seq]) => [pid, Number(seq)])),
  };
  if (head.outdated) {
    return { ...state, trials: [], indices: [], links: { sources: [], configs: [] }, outdated: true };
  }
  const created = found.filter((r) => r.id !== null);
  const trials = created.map(toTrial);
  const sources = trials.flatMap((t, i) => unique[Number(created[i]!.batchIndex)]!.sources.map((s) => ({ from: t.id, to: s.trialId, weight: s.weight })));
  const configs = trials.flatMap((t, i) => {
    const index = Number(created[i]!.batchIndex);
    if (unique[index]!.sources.length === 0) return [];
    const { config, configHash, configName, configParams } = props[index]!;
    return [{ trialId: t.id, modelId: String(created[i]!.modelId), projectId, configHash, configName, config, configParams }];
  });
  return { ...state, trials, indices: created.map((r) => uniqueAt[Number(r.batchIndex)]!), links: { sources, configs }, outdated: false };
}

const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * Writes the deferred edges of recorded batches (see recordSuggestions) in a transaction of its own
 * that holds the shared nodes' locks only for this statement: (Trial)-[:EVALUATES]->(Config), then
 * (Trial)-[:SUGGESTED_FROM {weight}]->(prior Trial). Configs are locked in key order and prior
 * trials in id order, so concurrent writers linking to the same nodes queue instead of deadlocking.
 * One auto-commit statement (see writeStatement): it runs after every warm-started batch.
 * Only trials still marked `linksPending` are linked (and unmarked), under their lock: the edges are
 * written once even when a repair (pendingLinks) and the batch's own write meet.
 */
export async function writeBatchLinks(graph: Graph, priorProjects: string[], links: BatchLinks): Promise<void> {
  if (links.sources.length === 0 && links.configs.length === 0) return;
  const configs = links.configs.map((c) => ({ ...c, key: `${c.modelId}/${c.configHash}` })).sort(byKey((c) => c.key));
  const sources = [...links.sources].sort(byKey((l) => l.to));
  const trialIds = [...new Set([...links.configs.map((c) => c.trialId), ...links.sources.map((l) => l.from)])].sort();
  // Each config item carries its project and model: batches of several experiments share this write.
  await writeStatement(
    graph,
    `CALL () {
       UNWIND $batch.trialIds AS id
       MATCH (t:Trial {id: id})
       SET t.lock = true REMOVE t.lock
       WITH t WHERE t.linksPending
       REMOVE t.linksPending
       RETURN collect(t.id) AS open
     }
     CALL (open) {
       UNWIND $batch.configs AS item
       WITH item WHERE item.trialId IN open
       MATCH (t:Trial {id: item.trialId})
       ${linkConfig('item.modelId', 'item.projectId')}
     }
     CALL (open) {
       UNWIND $batch.links AS l
       WITH l WHERE l.from IN open
       MATCH (t:Trial {id: l.from}), (p:Trial {id: l.to}) WHERE p.projectId IN $batch.priorProjects
       CREATE (t)-[:SUGGESTED_FROM {weight: l.weight}]->(p)
     }`,
    { batch: listParameters({ trialIds, configs, links: sources, priorProjects }) },
  );
}

/**
 * The deferred edges (see recordSuggestions) of an experiment's trials that never got them: their
 * write failed, or the process stopped before it. Rebuilt from what each trial recorded (its
 * configuration and its provenance's source trials), to be written by writeBatchLinks.
 */
export async function pendingLinks(graph: Graph, projectId: string, experimentId: string): Promise<BatchLinks> {
  const found = await readStatement<{ id: string; config: string; configHash: string; provenance: string | null; modelId: string }>(
    graph,
    `MATCH (e:Experiment {id: $experimentId})-[:OF_MODEL]->(m:Model) WHERE e.projectId = $projectId
     MATCH (t:Trial) WHERE t.experimentId = $experimentId AND t.linksPending
     RETURN t.id AS id, t.config AS config, t.configHash AS configHash, t.provenance AS provenance, m.id AS modelId
     ORDER BY t.number`,
    { experimentId, projectId },
  );
  const links: BatchLinks = { sources: [], configs: [] };
  for (const t of found) {
    const config = parseJson<Configuration>(t.config, {});
    links.configs.push({ trialId: t.id, modelId: t.modelId, projectId, configHash: t.configHash, config: t.config, ...configFields(config) });
    const provenance = parseJson<{ sourceTrials?: { trialId?: string | null; weight?: number }[] }>(t.provenance, {});
    for (const s of provenance.sourceTrials ?? []) {
      if (s.trialId) links.sources.push({ from: t.id, to: s.trialId, weight: Number(s.weight ?? 0) });
    }
  }
  return links;
}

/** Running trials older than the timeout become stale: no longer pending, but a late result is still accepted. */
export async function markStale(graph: Graph, projectId: string, experimentId: string, timeoutSeconds: number): Promise<number> {
  const [r] = await writeStatement<{ n: number }>(
    graph,
    `MATCH (e:Experiment {id: $experimentId})-[:HAS_TRIAL]->(t:Trial {state: 'running'})
     WHERE e.projectId = $projectId AND t.startedAt < datetime() - duration({seconds: $timeout})
     WITH e, collect(t) AS stale WHERE size(stale) > 0
     SET e.eventSeq = coalesce(e.eventSeq, 0) + 1
     WITH e, stale
     UNWIND stale AS t
     SET t.state = 'stale', t.staleSeq = e.eventSeq, t.changedSeq = e.eventSeq, t.name = '#' + toString(t.number) + ' stale'
     RETURN count(t) AS n`,
    { experimentId, projectId, timeout: timeoutSeconds },
  );
  return Number(r?.n ?? 0);
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
       // A batch computed under the old budget is refused (see recordSuggestions).
       SET e.budgetSeq = CASE WHEN $budget IS NULL THEN e.budgetSeq ELSE e.eventSeq END
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

/** The settings updateSettings changes (and records). */
export type SettingsField = 'warmStart' | 'optimizer' | 'budget';

export interface SettingsChange {
  at: string;
  seq: number;
  fields: SettingsField[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  by: string | null;
}

export async function settingsChanges(graph: Graph, projectId: string, experimentId: string): Promise<SettingsChange[]> {
  return read(graph, (tx) => settingsChangesTx(tx, projectId, experimentId));
}

/** An experiment's settings changes, oldest first (in the caller's transaction). */
export async function settingsChangesTx(tx: Tx, projectId: string, experimentId: string): Promise<SettingsChange[]> {
  const found = await rows(
    tx,
    `MATCH (e:Experiment {id: $experimentId}) WHERE e.projectId = $projectId
     OPTIONAL MATCH (e)-[:HAS_CHANGE]->(c:SettingsChange)
     WITH c ORDER BY c.seq, c.at
     RETURN toString(c.at) AS at, c.seq AS seq, c.fields AS fields, c.before AS before, c.after AS after, c.by AS by`,
    { experimentId, projectId },
  );
  // No row at all: the experiment is not in this project. One row of nulls: it has no changes yet.
  if (!found.length) throw new NotFoundError('experiment', experimentId);
  return found
    .filter((r) => r.seq !== null)
    .map((r) => ({ ...(r as unknown as SettingsChange), seq: Number(r.seq), before: parseJson(r.before, {}), after: parseJson(r.after, {}) }));
}

/**
 * Recreates the recorded settings changes of an imported experiment (see importExperiment), as
 * they were: time, event number, fields, before and after, and who made them.
 */
export async function insertSettingsChangesTx(tx: Tx, projectId: string, experimentId: string, changes: SettingsChange[]): Promise<void> {
  if (changes.length === 0) return;
  await rows(
    tx,
    `MATCH (e:Experiment {id: $experimentId})
     UNWIND $changes AS c
     CREATE (e)-[:HAS_CHANGE]->(:SettingsChange {
       id: c.id, projectId: $projectId, name: c.name, fields: c.fields, before: c.before, after: c.after, by: c.by, at: datetime(c.at), seq: c.seq
     })`,
    {
      experimentId,
      projectId,
      changes: changes.map((c) => ({
        id: randomUUID(),
        name: `changed ${c.fields.join(', ')}`,
        fields: c.fields,
        before: json(c.before),
        after: json(c.after),
        by: c.by,
        at: c.at,
        seq: int(c.seq),
      })),
    },
  );
}
