// Recording suggestions: queued trials claimed, batches written under the experiment's lock, running trials gone stale.
import { int } from 'neo4j-driver';
import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Trial } from '../model.ts';
import { listParameters, read, rows, write, writeStatement, type Tx } from '../tx.ts';
import { CREATE_TRIAL_NODE, linkConfig, TRIAL_FIELDS, toTrial, trialProps, type TrialWrite } from './trials.ts';
import type { BatchLinks } from './links.ts';

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
