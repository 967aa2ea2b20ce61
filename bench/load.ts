/**
 * Load test over real HTTP (loopback only) with a throw-away local Neo4j: autocannon connections, each
 * pinned to one of the experiments, asking for one suggestion and telling its value in a loop.
 *   npx tsx bench/load.ts [--duration 60] [--connections 64] [--experiments 8] [--strategy auto|random] [--warmup 1] [--processes 1]
 * --processes: service processes on the one Neo4j (this one and N−1 spawned), connections dealt over them.
 * --warmup: sequential ask+tell rounds per experiment before the load (0 = measure a cold service).
 * Target: zero errors and non-2xx, and every told value stored (reconciled against the graph afterwards).
 * Exit code 1 on any error, non-2xx, unexpected response or mismatch; 2 on the hard timeout.
 */
import { parseArgs } from 'node:util';
import { createKey } from '../graph/repositories/keys.ts';
import { buildApp } from '../src/app.ts';
import { passed, report, runLoad, setupExperiments, type LoadStrategy } from './load/run.ts';
import { spawnService, type ServiceProcess } from './support/service-process.ts';
import { benchGraph, machine } from './support/neo4j.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '64' },
    experiments: { type: 'string', default: '8' },
    strategy: { type: 'string', default: 'auto' },
    warmup: { type: 'string', default: '1' },
    processes: { type: 'string', default: '1' },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const EXPERIMENTS = Number(values.experiments);
const STRATEGY = values.strategy as LoadStrategy;
const WARMUP = Number(values.warmup);
const PROCESSES = Number(values.processes);
if (!(WARMUP >= 0) || !(DURATION > 0) || !(CONNECTIONS >= 1) || !(EXPERIMENTS >= 1) || !(PROCESSES >= 1) || !['auto', 'random'].includes(STRATEGY)) {
  console.error('usage: npx tsx bench/load.ts [--duration 60] [--connections 64] [--experiments 8] [--strategy auto|random] [--warmup 1] [--processes 1]');
  process.exit(2);
}

const log = (line: string) => console.error(line);
// Hard bound on the whole run: Neo4j start (≤ 3 min), the load, the reconciliation.
const HARD_MS = (DURATION + 300) * 1000;
let stopGraph: (() => Promise<void>) | undefined;
const hard = setTimeout(() => {
  console.error(`hard timeout after ${HARD_MS / 1000} s; stopping Neo4j`);
  void (stopGraph?.() ?? Promise.resolve()).finally(() => process.exit(2));
}, HARD_MS);

let ok = false;
const { graph, connection, stop: stopNeo4j } = await benchGraph('load');
const app = await buildApp({ graph, rateLimitPerMinute: 0, logger: false });
const others: ServiceProcess[] = [];
const stop = async () => {
  await Promise.all(others.map((o) => o.stop()));
  await stopNeo4j();
};
stopGraph = stop;
try {
  for (let i = 1; i < PROCESSES; i++) others.push(await spawnService(connection, { PRECEDENT_RATE_LIMIT: '0' }));
  const { secret: key } = await createKey(graph, 'bench-load', 'bench');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const ids = await setupExperiments(base, key, EXPERIMENTS, STRATEGY);
  log(`load: ${WARMUP} warm-up round(s), then ${CONNECTIONS} connections on ${EXPERIMENTS} experiments for ${DURATION} s, strategy ${STRATEGY} …`);
  const replicas = others.map((o) => o.url);
  const r = await runLoad({ base, replicas, key, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, log }, ids);
  const where = PROCESSES > 1 ? `, ${PROCESSES} service processes on one Neo4j` : '';
  console.log(
    `load, ${CONNECTIONS} connections asking and telling on ${EXPERIMENTS} experiments for ${DURATION} s, strategy ${STRATEGY}, ${WARMUP} warm-up round(s)${where} (target: zero errors, all reconciled) — ${machine()}`,
  );
  for (const line of report(r, CONNECTIONS)) console.log(line);
  ok = passed(r);
} finally {
  await app.close();
  await stop();
  clearTimeout(hard);
}
process.exit(ok ? 0 : 1);
