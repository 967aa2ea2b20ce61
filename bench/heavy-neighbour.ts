// A heavy experiment next to a light one, with the optimizer's model fits on the event loop
// (PRECEDENT_OPTIMIZER_THREADS=0) and in worker threads (the default), back to back on one
// throw-away Neo4j: how long the light experiment's asks and /health wait while the heavy one fits.
//   npx tsx bench/heavy-neighbour.ts [--params 60] [--batch 10] [--seconds 30] [--threads 1]
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createKey } from '../graph/repositories/keys.ts';
import { buildApp } from '../src/app.ts';
import { benchGraph, median, percentile } from './support/neo4j.ts';

const { values } = parseArgs({
  options: {
    params: { type: 'string', default: '60' },
    batch: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
  },
});
const params = Number(values.params);
const batch = Number(values.batch);
const seconds = Number(values.seconds);

const { graph, stop: stopNeo4j } = await benchGraph('heavy-neighbour', '1g');

async function run(optimizerThreads: number) {
  const { secret } = await createKey(graph, `heavy-${optimizerThreads}`, 'bench');
  const app = await buildApp({ graph, rateLimitPerMinute: 0, logger: { level: 'error' }, suggestions: { optimizerThreads } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call = async (url: string, payload?: unknown): Promise<any> => {
    const res = await fetch(`${base}${url}`, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${secret}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const d = await call('/v1/datasets', { name: 'heavy-neighbour', metaFeatures: { a: 1 } });
  const experiment = (name: string, n: number, strategy?: string) =>
    call('/v1/experiments', {
      name,
      datasetId: d.id,
      model: { name },
      searchSpace: Array.from({ length: n }, (_, i) => ({ name: `x${i}`, type: 'float', low: 0, high: 1 })),
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
      seed: 1,
      ...(strategy ? { optimizer: { strategy } } : {}),
    });
  const loss = (c: Record<string, number>) => Object.values(c).reduce((s, v) => s + (v - 0.3) ** 2, 0);
  const askTell = async (id: string, count: number) => {
    const s = await call(`/v1/experiments/${id}/suggestions`, { count });
    for (const t of s.trials) await call(`/v1/trials/${t.id}/complete`, { value: loss(t.config) });
  };
  const heavy = await experiment('heavy', params);
  const light = await experiment('light', 2, 'random');
  await askTell(heavy.id, 10); // the design: every later ask of the heavy experiment fits a GP
  let stop = false;
  let heavyAsks = 0;
  const heavyLoop = (async () => {
    while (!stop) {
      await askTell(heavy.id, batch);
      heavyAsks++;
    }
  })();
  const lightMs: number[] = [];
  const healthMs: number[] = [];
  const lightLoop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await askTell(light.id, 1);
      lightMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const healthLoop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await fetch(`${base}/health`);
      healthMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  await Promise.all([heavyLoop, lightLoop, healthLoop]);
  await app.close();
  return { optimizerThreads, heavyAsks, lightMs, healthMs };
}

try {
  const rows = [];
  for (const threads of [0, Number(values.threads)]) rows.push(await run(threads));
  console.log(`\nheavy: ${params} float parameters, GP-BO asks of ${batch}, back to back; light: random design, ask+tell one at a time; ${seconds} s each\n`);
  console.log('| optimizer threads | heavy asks done | light ask+tell p50 / p99 / max ms | /health p50 / p99 / max ms |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    const f = (xs: number[]) =>
      `${median(xs).toFixed(0)} / ${percentile(
        [...xs].sort((a, b) => a - b),
        99,
      ).toFixed(0)} / ${Math.max(...xs).toFixed(0)}`;
    console.log(`| ${r.optimizerThreads} | ${r.heavyAsks} | ${f(r.lightMs)} | ${f(r.healthMs)} |`);
  }
} finally {
  await stopNeo4j();
}
