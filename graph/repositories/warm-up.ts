import { randomUUID } from 'node:crypto';
import type { Graph } from '../driver.ts';
import { writeStatement } from '../tx.ts';

/**
 * One write that commits and leaves nothing behind: a WarmUp node made in one transaction and
 * removed in the next. After a restart Neo4j's commit path (transaction log, store and index
 * updates) runs as interpreted Java until the JIT has seen it often, and a rolled-back rehearsal
 * never reaches it: a first record took 80-110 ms against ~20 ms warm, 40-50 ms after 30 of these
 * (bench/first-ask.ts). The delete takes every WarmUp node, so one left by a process that died
 * between the two goes with the next. Returns the id its nodes had.
 */
export async function commitAndUndo(graph: Graph): Promise<string> {
  const id = randomUUID();
  await writeStatement(graph, 'CREATE (:WarmUp {id: $id})-[:WARMS]->(:WarmUp {id: $id})', { id });
  await writeStatement(graph, 'MATCH (w:WarmUp) DETACH DELETE w');
  return id;
}
