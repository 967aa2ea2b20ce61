// What the demo knowledge base needs to know about the graph before it writes anything. It lives with
// the Browser material because the demo exists to give the Browser guide something to show.
import type { Graph } from '../driver.ts';
import { read, rows } from '../tx.ts';

/**
 * Experiments in the whole database, or only in the named project. The demo loads itself only into
 * an empty graph; the project scope is for callers that share a database with others (tests).
 */
export async function countExperiments(graph: Graph, projectName?: string): Promise<number> {
  const [row] = await read(graph, (tx) =>
    projectName === undefined
      ? rows<{ n: number }>(tx, 'MATCH (e:Experiment) RETURN count(e) AS n')
      : rows<{ n: number }>(tx, 'MATCH (:Project {name: $name})-[:HAS_EXPERIMENT]->(e:Experiment) RETURN count(e) AS n', { name: projectName }),
  );
  return Number(row?.n ?? 0);
}
