/**
 * How Neo4j's plan cache treats list parameters: one large statement (a dozen subqueries, like the
 * record statement) run with lists of growing size, passed as a top-level parameter and inside a
 * map. Prints Neo4j's CPU for each call; a call that planned the statement again costs hundreds of
 * milliseconds, a cached plan tens.
 *   npx tsx bench/plan-cache.ts
 * Why graph/tx.ts has listParameters(): on 5.26 a top-level list is planned again for each size
 * class (empty, 1, 2–10, 11–100, more); inside a map its size does not key the cache.
 */
import { benchGraph, machine, processCpuMs } from './support/neo4j.ts';

const { graph, pid, stop } = await benchGraph('plan-cache');
try {
  const statement = (list: string, tag: string) =>
    `MATCH (e:Experiment {id: $id}) WHERE e.projectId = $p ` +
    Array.from(
      { length: 12 },
      (_, i) =>
        `CALL (e) { OPTIONAL MATCH (e)-[:HAS_TRIAL]->(t${i}:Trial) WHERE t${i}.configHash IN ${list} AND t${i}.state = '${tag}${i}' RETURN collect(t${i}.id) AS c${i} }`,
    ).join('\n') +
    ' RETURN e.id';
  const cpuOf = async (query: string, params: Record<string, unknown>) => {
    const before = processCpuMs(pid);
    const session = graph.driver.session({ database: graph.database });
    try {
      await session.run(query, params);
    } finally {
      await session.close();
    }
    return processCpuMs(pid) - before;
  };
  const hashes = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`);
  const sizes = [1, 1, 2, 3, 10, 11, 16, 50, 100, 101, 0, 0];
  console.log(`Neo4j CPU per call (ms; CPU time is counted in 10 ms ticks) — ${machine()}`);
  for (const [label, list, params] of [
    ['top-level list $h', '$h', (n: number) => ({ h: hashes(n) })],
    ['list inside a map, $b.h', '$b.h', (n: number) => ({ b: { h: hashes(n) } })],
  ] as const) {
    // A text of its own per variant and a JVM that has planned similar statements before.
    const query = statement(list, label.slice(0, 3));
    for (let k = 0; k < 3; k++) await cpuOf(statement(list, `warm${k}`), { id: 'x', p: 'y', ...params(1) });
    const row: string[] = [];
    for (const n of sizes) row.push(`${n}: ${(await cpuOf(query, { id: 'x', p: 'y', ...params(n) })).toFixed(0)}`);
    console.log(`${label.padEnd(26)} size: ms  ${row.join(', ')}`);
  }
} finally {
  await stop();
}
