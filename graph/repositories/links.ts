// The edges of a recorded batch that are written after it commits (see recordSuggestions), and their repair.
import type { Graph } from '../driver.ts';
import type { Configuration } from '../model.ts';
import { listParameters, parseJson, readStatement, writeStatement } from '../tx.ts';
import { configFields, linkConfig } from './trials.ts';

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
