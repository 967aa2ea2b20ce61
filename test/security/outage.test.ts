import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Graph } from '../../graph/driver.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { migrate } from '../../graph/schema/migrate.ts';
import { adminDatabase, startInstance, startOnFreePorts, stopInstance, type RunningInstance } from '../../graph/server/instance.ts';
import { buildApp } from '../../src/app.ts';
import { REPO_ROOT } from '../../src/config.ts';

/**
 * The database goes away under ask/tell traffic and comes back. This needs a Neo4j of its own
 * (stopping the suite's shared server would break every other test file), on fixed ports so the
 * service's driver finds it again at the same address.
 */
const home = join(REPO_ROOT, '.neo4j', `test-outage-${process.pid}`);
// A bound on every request: a hang (rather than a 503) fails the test. Generous, because a Neo4j
// that has just restarted on a loaded machine can take seconds for its first transactions. An ask
// that takes longer than the service's deadline (below it) is a 503 with Retry-After, which the
// workers retry: that is the documented behaviour, not a hang.
const REQUEST_TIMEOUT_MS = 45_000;
const ASK_DEADLINE_MS = 15_000;
let inst: RunningInstance;
let graph: Graph;
let app: Awaited<ReturnType<typeof buildApp>>;
let base: string;
let key: string;

beforeAll(async () => {
  rmSync(home, { recursive: true, force: true });
  inst = await startOnFreePorts({ home, heap: '512m', pageCache: '128m' });
  graph = connect({ uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' });
  await migrate(graph);
  key = (await createKey(graph, 'outage', 'test')).secret;
  // Errors only: the expected 503s log at warn, while a 500 prints its cause next to the failed assertion.
  app = await buildApp({
    graph,
    rateLimitPerMinute: 0,
    authCacheSeconds: 3600,
    logger: { level: 'error' },
    suggestions: { requestDeadlineMs: ASK_DEADLINE_MS },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await graph?.close();
  await stopInstance(home);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; ms: number; retryAfter: string | null }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, ms: performance.now() - t0, retryAfter: res.headers.get('retry-after') };
}

const lossOf = (config: Record<string, number>) => Math.round((config.x! - 0.3) ** 2 * 1e6) / 1e6;

describe('Neo4j outage under load', () => {
  it('answers 503 with Retry-After while Neo4j is down, recovers without a restart, loses no acknowledged result', async () => {
    const d = await call('POST', '/v1/datasets', { name: 'outage', metaFeatures: { a: 1 } });
    const experiments: string[] = [];
    for (let i = 0; i < 2; i++) {
      const e = await call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'm' },
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1, log: false }],
        objective: { metric: 'loss', direction: 'minimize' },
        warmStart: { mode: 'off' },
        optimizer: { strategy: 'random' },
      });
      expect(e.status, JSON.stringify(e.body)).toBe(201);
      experiments.push(e.body.id);
    }

    const acknowledged = new Map<string, number>();
    const unexpected: string[] = [];
    const unavailable: { ms: number; retryAfter: string | null }[] = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let okAfter = 0;
    let stop = false;
    const worker = async (w: number) => {
      const exp = experiments[w % experiments.length]!;
      while (!stop) {
        let step = 'ask';
        try {
          const ask = await call('POST', `/v1/experiments/${exp}/suggestions`, { count: 1 });
          if (ask.status === 503) {
            unavailable.push(ask);
            await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          if (ask.status !== 201) {
            unexpected.push(`ask ${ask.status} ${JSON.stringify(ask.body)}`);
            continue;
          }
          const trial = ask.body.trials[0];
          const value = lossOf(trial.config);
          // Retry the tell until it is acknowledged: a worker never gives up on a result.
          step = 'tell';
          for (;;) {
            const tell = await call('POST', `/v1/trials/${trial.id}/complete`, { value });
            if (tell.status === 200) {
              acknowledged.set(trial.id, value);
              if (phase === 'after') okAfter++;
              break;
            }
            if (tell.status !== 503) {
              unexpected.push(`tell ${tell.status} ${JSON.stringify(tell.body)}`);
              break;
            }
            unavailable.push(tell);
            await new Promise((r) => setTimeout(r, 100));
          }
        } catch (err) {
          unexpected.push(`${phase} ${step}: ${(err as Error).name} ${(err as Error).message}`);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));

    // Traffic first: wait until results flow (a loaded machine may need a moment).
    const t0 = Date.now();
    while (acknowledged.size < 20 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    const beforeOutage = acknowledged.size;
    phase = 'down';
    await stopInstance(home);
    // Counted from the moment the server is gone: during its graceful shutdown it still commits.
    const stopped = acknowledged.size;
    await new Promise((r) => setTimeout(r, 4_000));
    const duringOutage = acknowledged.size;
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    expect(health.status).toBe(503);
    await startInstance({ home, boltPort: inst.boltPort, httpPort: inst.httpPort, heap: '512m', pageCache: '128m' });
    phase = 'after';
    const restartedAt = Date.now();
    while (okAfter < 20 && Date.now() - restartedAt < 60_000) await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);

    expect(unexpected, unexpected.join('\n')).toEqual([]);
    expect(beforeOutage).toBeGreaterThan(0);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const u of unavailable) {
      expect(Number(u.retryAfter)).toBeGreaterThan(0);
      expect(u.ms).toBeLessThan(REQUEST_TIMEOUT_MS);
    }
    // While Neo4j was down nothing could be acknowledged (at most the tells in flight as it stopped).
    expect(duringOutage - stopped).toBeLessThanOrEqual(8);
    // Recovered without restarting the service.
    expect(okAfter).toBeGreaterThanOrEqual(20);

    // Every acknowledged result is in the graph, exactly once, and trial numbers have no duplicates or gaps.
    for (const exp of experiments) {
      const trials: { id: string; number: number; state: string; value: number | null }[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await call('GET', `/v1/experiments/${exp}/trials?limit=500&offset=${offset}`);
        expect(page.status).toBe(200);
        trials.push(...page.body.items);
        if (page.body.nextOffset === null) break;
      }
      const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => i));
      expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
      for (const t of trials) {
        if (acknowledged.has(t.id)) {
          expect(t.state).toBe('completed');
          expect(t.value).toBe(acknowledged.get(t.id));
        }
      }
    }
    const stored = new Set<string>();
    for (const exp of experiments) {
      const page = await call('GET', `/v1/experiments/${exp}/trials?limit=500&state=completed`);
      for (const t of page.body.items) stored.add(t.id);
    }
    for (const id of acknowledged.keys()) expect(stored.has(id), `acknowledged trial ${id} missing`).toBe(true);
    console.log(
      `outage: ${acknowledged.size} results acknowledged (${beforeOutage} before, ${stopped - beforeOutage} while it shut down, ${duringOutage - stopped} once down, ${okAfter} after restart), ` +
        `${unavailable.length} × 503, slowest 503 ${Math.round(Math.max(...unavailable.map((u) => u.ms)))} ms`,
    );
  }, 240_000);

  it('notices a restart that happens while no request runs, drops its copies and closes the breaker again', async () => {
    let lost = 0;
    graph.availability.onLost(() => lost++);
    // The driver replaces the connections a restart closed without an error, so without its own probe
    // an idle service never learns of the restart (bench/first-ask.ts showed it: copies kept, plans cold).
    await stopInstance(home);
    await startInstance({ home, boltPort: inst.boltPort, httpPort: inst.httpPort, heap: '512m', pageCache: '128m' });
    expect(lost, 'the restart was noticed without a request').toBeGreaterThan(0);
    for (let i = 0; i < 100 && graph.availability.down; i++) await new Promise((r) => setTimeout(r, 100));
    expect(graph.availability.down).toBe(false);
    expect((await call('GET', '/health')).status).toBeLessThan(500);
  }, 120_000);

  it('npm run neo4j:dump / neo4j:load: an offline dump of the stopped server restores the data', async () => {
    const before = await call('GET', '/v1/experiments');
    expect(before.status).toBe(200);
    await stopInstance(home);
    const dir = join(home, 'backup-test');
    const file = adminDatabase(home, 'dump', dir);
    expect(statSync(file).size).toBeGreaterThan(0);
    // Load over the store, start again on the same ports: the service sees the same data, no restart.
    adminDatabase(home, 'load', dir);
    await startInstance({ home, boltPort: inst.boltPort, httpPort: inst.httpPort, heap: '512m', pageCache: '128m' });
    let after = await call('GET', '/v1/experiments');
    for (let i = 0; i < 100 && after.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 300));
      after = await call('GET', '/v1/experiments');
    }
    expect(after.status).toBe(200);
    expect(after.body.total).toBe(before.body.total);
    expect(after.body.items.map((e: { id: string }) => e.id)).toEqual(before.body.items.map((e: { id: string }) => e.id));
    // A running server is refused rather than damaged.
    expect(() => adminDatabase(home, 'dump', dir)).toThrow(/running/);
  }, 240_000);

  it('a dump restored under the running service: it serves the restored history, not its copy, and replay is exact', async () => {
    const d = await call('POST', '/v1/datasets', { name: 'restore', metaFeatures: { a: 1 } });
    const e = await call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      model: { name: 'restore' },
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
      optimizer: { nInitial: 3 },
    });
    const id = e.body.id as string;
    // Another process on the same Neo4j, as a second replica: it moves the restored graph on.
    const otherGraph = connect({ uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' });
    const other = await buildApp({ graph: otherGraph, rateLimitPerMinute: 0, logger: { level: 'error' } });
    const viaOther = (method: string, path: string, body?: unknown) =>
      other
        .inject({ method: method as 'POST', url: path, headers: { authorization: `Bearer ${key}` }, ...(body ? { payload: body as object } : {}) })
        .then((r) => ({ status: r.statusCode, body: r.json() }));
    /** Asks and tells `n` times (through this service, or the other), through 503s while the server comes back. */
    const run = async (n: number, via: typeof call | typeof viaOther = call) => {
      for (let i = 0; i < n; ) {
        const ask = await via('POST', `/v1/experiments/${id}/suggestions`, { count: 1 });
        if (ask.status === 503) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        expect(ask.status, JSON.stringify(ask.body)).toBe(201);
        const trial = ask.body.trials[0];
        expect((await via('POST', `/v1/trials/${trial.id}/complete`, { value: lossOf(trial.config) })).status).toBe(200);
        i++;
      }
    };
    const restart = async (between: () => void) => {
      await stopInstance(home);
      between();
      await startInstance({ home, boltPort: inst.boltPort, httpPort: inst.httpPort, heap: '512m', pageCache: '128m' });
    };
    const dir = join(home, 'backup-restore');
    await run(4);
    await restart(() => adminDatabase(home, 'dump', dir));
    // The graph moves on past the dump, and the service copies that history.
    await run(3);
    // A load balancer polls /health all along, also just before the restore.
    expect((await fetch(`${base}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).status).toBe(200);
    await restart(() => adminDatabase(home, 'load', dir));
    // A load balancer's health check is the first request to meet the connections the restart
    // broke: the service must still notice the restart (and drop its copies), not just reconnect.
    // Neo4j's status in /health comes from a query that must not wait for a bookmark the restored
    // database never reaches.
    for (let i = 0; i < 50; i++) {
      const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (health.status === 200) break;
      expect(i, 'health stays down after the restore').toBeLessThan(49);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Back to four trials. The other process takes the restored graph to the event number this
    // service's copy is at, with other trials: only forgetting the copy can tell them apart.
    try {
      await run(3, viaOther);
      await run(2);
    } finally {
      await other.close();
      await otherGraph.close();
    }
    const trials = (await call('GET', `/v1/experiments/${id}/trials?limit=50`)).body.items;
    expect(trials.map((t: { number: number }) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const replay = await call('GET', `/v1/experiments/${id}/replay`);
    expect(replay.body.mismatches).toEqual([]);
    expect(replay.body.checked).toBe(9);
  }, 240_000);
});
