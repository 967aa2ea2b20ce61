import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import { Project } from '../model.ts';
import { read, rows, write } from '../tx.ts';

const RETURN_PROJECT = 'RETURN p.id AS id, p.name AS name, toString(p.createdAt) AS createdAt';

/** Projects are tenants: created on demand by name, never deleted through the API. */
export async function ensureProject(graph: Graph, name: string): Promise<Project> {
  return write(graph, async (tx) => {
    const [row] = await rows(
      tx,
      `MERGE (p:Project {name: $name})
       ON CREATE SET p.id = $id, p.createdAt = datetime()
       ${RETURN_PROJECT}`,
      { name, id: randomUUID() },
    );
    return Project.parse(row);
  });
}

export async function getProjectByName(graph: Graph, name: string): Promise<Project> {
  const [row] = await read(graph, (tx) => rows(tx, `MATCH (p:Project {name: $name}) ${RETURN_PROJECT}`, { name }));
  if (!row) throw new NotFoundError('project', name);
  return Project.parse(row);
}
