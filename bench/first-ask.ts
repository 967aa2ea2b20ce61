// The first ask after Neo4j restarted, as soon as the service reaches it again and once the service
// reports itself ready (its warm-up done), against the median warm ask and against the first ask
// after an idle pause as long as the restart took, back to back on one throw-away Neo4j. The service notices the restart the way it does in production (a query through
// the breaker meets a broken connection), so it drops its copies and warms up as it would there.
//   npx tsx bench/first-ask.ts [--rounds 3] [--trials 30]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../graph/driver.ts';
import { createKey } from '../graph/repositories/keys.ts';
import { awaitIndexes, migrate } from '../graph/schema/migrate.ts';
import { startInstance, startOnFreePorts, stopInstance } from '../graph/server/instance.ts';
import { buildApp } from '../src/app.ts';
import { REPO_ROOT } from '../src/config.ts';
import { Readiness } from '../src/services/readiness.ts';
import { median } from './support/neo4j.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, trials: { type: 'string', default: '30' } } });
const rounds = Number(values.rounds);
const trials = Number(values.trials);

const home = join(REPO_ROOT, '.neo4j', `bench-first-ask-${process.pid}`);
rmSync(home, { recursive: true, force: true });
const spec = { home, heap: '1g', pageCache: '256m' };
const inst = await startOnFreePorts(spec);
const graph = connect({ uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' });
try {
  await migrate(graph);
  await awaitIndexes(graph);
  const { secret } = await createKey(graph, 'first-ask', 'bench');
  const readiness = new Readiness(graph);
  await readiness.warm();
  let noticed = 0;
  graph.availability.onLost(() => noticed++);
  const app = await buildApp({ graph, readiness, rateLimitPerMinute: 0, logger: { level: 'error' } });
  let lastTiming = '';
  const call = async (url: string, payload?: unknown) => {
    const res = await app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url,
      headers: { authorization: `Bearer ${secret}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    if (url.endsWith('/suggestions')) lastTiming = String(res.headers['server-timing'] ?? '');
    return res.json();
  };
  const d = await call('/v1/datasets', { name: 'first-ask', metaFeatures: { a: 1 } });
  const e = await call('/v1/experiments', {
    datasetId: d.id,
    model: { name: 'first-ask' },
    searchSpace: [
      { name: 'x', type: 'float', low: 0, high: 1 },
      { name: 'y', type: 'float', low: 0, high: 1 },
    ],
    objective: { metric: 'loss', direction: 'minimize' },
    seed: 1,
  });
  /** One ask and its tell; returns the ask's milliseconds. */
  const askAndTell = async (): Promise<number> => {
    const t0 = performance.now();
    const s = await call(`/v1/experiments/${e.id}/suggestions`, { count: 1 });
    const ms = performance.now() - t0;
    const t = s.trials[0];
    await call(`/v1/trials/${t.id}/complete`, { value: (t.config.x - 0.3) ** 2 + (t.config.y - 0.6) ** 2 });
    return ms;
  };
  const warm: number[] = [];
  for (let i = 0; i < trials; i++) warm.push(await askAndTell());
  const steady = median(warm.slice(Math.floor(trials / 2)));
  if (process.env.PRECEDENT_BENCH_TIMING) console.log(`  last warm ask: ${lastTiming}`);

  /** Restarts Neo4j; resolves once the service reads from it again (503s while its breaker is open). */
  const restart = async () => {
    await stopInstance(home);
    await startInstance({ ...spec, boltPort: inst.boltPort, httpPort: inst.httpPort });
    for (;;) {
      try {
        await call(`/v1/experiments/${e.id}`);
        return;
      } catch (err) {
        if (!String(err).includes(' 503 ')) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** The first ask after a restart, retried through the 503s of the breaker while it notices. */
  const firstAsk = async (): Promise<number> => {
    for (;;) {
      try {
        return await askAndTell();
      } catch (err) {
        if (!String(err).includes(' 503 ')) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const cold: number[] = [];
  const warmed: number[] = [];
  const warmUp: number[] = [];
  const idle: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await restart();
    cold.push(await firstAsk());
    const before = noticed;
    const down = performance.now();
    await restart();
    if (noticed === before) console.log('  (the service did not notice this restart)');
    const t0 = performance.now();
    while (!readiness.ready) await new Promise((r) => setTimeout(r, 20));
    warmUp.push(performance.now() - t0);
    const paused = performance.now() - down;
    warmed.push(await firstAsk());
    if (process.env.PRECEDENT_BENCH_TIMING) console.log(`  first ask once ready: ${lastTiming}`);
    // The same pause without a restart: what an ask after that long costs anyway (the API key is
    // looked up again once its cache entry expired, see authCacheSeconds).
    await new Promise((r) => setTimeout(r, paused));
    idle.push(await askAndTell());
    if (process.env.PRECEDENT_BENCH_TIMING) console.log(`  first ask after the same pause: ${lastTiming}`);
  }
  await app.close();
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`warm ask (median of the last ${trials - Math.floor(trials / 2)}): ${f(steady)}`);
  console.log(
    `first ask as soon as the service reaches Neo4j again: median ${f(median(cold))} (${cold.map(f).join(', ')}) = ${(median(cold) / steady).toFixed(1)}x a warm ask`,
  );
  console.log(
    `first ask once the service is ready again: median ${f(median(warmed))} (${warmed.map(f).join(', ')}) = ${(median(warmed) / steady).toFixed(1)}x a warm ask`,
  );
  console.log(
    `first ask after an idle pause as long, without a restart: median ${f(median(idle))} (${idle.map(f).join(', ')}) = ${(median(idle) / steady).toFixed(1)}x a warm ask; the first ask once ready is ${(median(warmed) / median(idle)).toFixed(1)}x it`,
  );
  console.log(`from reaching Neo4j to ready (the warm-up): median ${f(median(warmUp))}`);
} finally {
  await graph.close();
  await stopInstance(home);
  rmSync(home, { recursive: true, force: true });
}
