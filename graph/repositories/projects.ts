import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import { Project } from '../model.ts';
import { read, rows, write, type Tx } from '../tx.ts';

/** The project `npm start` creates a key for on a fresh database. */
export const DEFAULT_PROJECT = 'default';
/** Where owners share experiments with every project (copies; see src/services/sharing.ts). */
export const SHARED_PROJECT = 'shared';

const RETURN_PROJECT = 'RETURN p.id AS id, p.name AS name, toString(p.createdAt) AS createdAt';

/** Projects are tenants: created on demand by name, never deleted through the API. */
export async function ensureProject(graph: Graph, name: string): Promise<Project> {
  return write(graph, (tx) => ensureProjectTx(tx, name));
}

export async function ensureProjectTx(tx: Tx, name: string): Promise<Project> {
  const [row] = await rows(
    tx,
    `MERGE (p:Project {name: $name})
     ON CREATE SET p.id = $id, p.createdAt = datetime()
     ${RETURN_PROJECT}`,
    { name, id: randomUUID() },
  );
  return Project.parse(row);
}

export async function findProjectByName(graph: Graph, name: string): Promise<Project | null> {
  const [row] = await read(graph, (tx) => rows(tx, `MATCH (p:Project {name: $name}) ${RETURN_PROJECT}`, { name }));
  return row ? Project.parse(row) : null;
}

export async function getProjectByName(graph: Graph, name: string): Promise<Project> {
  const project = await findProjectByName(graph, name);
  if (!project) throw new NotFoundError('project', name);
  return project;
}

/**
 * Everything stored under a project, counted: nodes per label, relationships touching them and
 * the sum of experiments' event sequences (which every write to an experiment advances). Two equal
 * footprints mean nothing was written in between.
 */
export async function projectFootprint(graph: Graph, projectId: string): Promise<{ nodes: Record<string, number>; relationships: number; eventSeqs: number }> {
  const [row] = await read(graph, (tx) =>
    rows<{ nodes: { label: string; n: number }[]; relationships: number; eventSeqs: number }>(
      tx,
      `MATCH (n) WHERE n.projectId = $projectId
       WITH collect(n) AS all
       CALL (all) { UNWIND all AS n UNWIND labels(n) AS label WITH label, count(*) AS n RETURN collect({label: label, n: n}) AS nodes }
       CALL (all) { UNWIND all AS n MATCH (n)-[r]-() RETURN count(DISTINCT r) AS relationships }
       CALL (all) { UNWIND all AS n WITH n WHERE n:Experiment RETURN sum(coalesce(n.eventSeq, 0)) AS eventSeqs }
       RETURN nodes, relationships, eventSeqs`,
      { projectId },
    ),
  );
  const nodes: Record<string, number> = {};
  for (const { label, n } of [...(row?.nodes ?? [])].sort((a, b) => a.label.localeCompare(b.label))) nodes[label] = n;
  return { nodes, relationships: row?.relationships ?? 0, eventSeqs: row?.eventSeqs ?? 0 };
}

/** The raw stored properties of a key (for checking that the secret is not among them). */
export async function storedKeyProperties(graph: Graph, id: string): Promise<Record<string, unknown> | null> {
  const [row] = await read(graph, (tx) => rows<{ p: Record<string, unknown> }>(tx, 'MATCH (k:ApiKey {id: $id}) RETURN properties(k) AS p', { id }));
  return row?.p ?? null;
}
