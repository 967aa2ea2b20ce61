// An experiment's settings while it runs (warm start, optimizer, budget) and the record of each change.
import { int } from 'neo4j-driver';
import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import type { Experiment, WarmStart } from '../model.ts';
import { json, parseJson, read, rows, write, type Tx } from '../tx.ts';
import { getExperimentTx } from './experiments.ts';

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
