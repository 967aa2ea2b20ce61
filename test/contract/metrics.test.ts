// Metrics and request logs for operators: /metrics (Prometheus text, a listener of its own on
// loopback) moves after an ask and a told result and names no tenant's anything; each request's
// completion line carries its id, route template, status, duration and project, and an ask's line its
// strategy and compute time.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type MetricsServer, startMetricsServer } from '../../src/metrics.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { startServiceProcess } from '../support/service-process.ts';

let api: TestApi;
let metrics: MetricsServer;
const logs: Record<string, any>[] = [];
const ASK_ROUTE = '/v1/experiments/:id/suggestions';

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  api = await testApi({ logger: { level: 'info', stream } });
  metrics = await startMetricsServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await metrics?.close();
  await api?.close();
});

const scrape = async () => {
  const res = await fetch(metrics.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

/** The sum of a metric's samples whose labels include `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('/metrics', () => {
  const secrets: string[] = [];
  let before = '';
  let after = '';

  beforeAll(async () => {
    before = await scrape();
    const datasetName = `tenant-dataset-${randomUUID()}`;
    const ds = await api.call('POST', '/v1/datasets', { name: datasetName, metaFeatures: { a: 1 } });
    const experimentName = `tenant-experiment-${randomUUID()}`;
    const exp = await api.call('POST', '/v1/experiments', {
      name: experimentName,
      datasetId: ds.body.id,
      model: { name: 'tenant-model' },
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      objective: { metric: 'loss', direction: 'minimize' },
    });
    const asked = await api.call('POST', `/v1/experiments/${exp.body.id}/suggestions`, { count: 2 });
    expect(asked.status, asked.text).toBe(201);
    const [trial] = asked.body.trials;
    const told = await api.call('POST', `/v1/trials/${trial.id}/complete`, { value: 0.3 });
    expect(told.status, told.text).toBe(200);
    secrets.push(api.project, api.projectId, api.key, datasetName, ds.body.id, experimentName, exp.body.id, trial.id);
    after = await scrape();
  });

  it('counts requests by route template and status, asks by strategy, and told results', () => {
    const ask = { method: 'POST', route: ASK_ROUTE, status_code: '201' };
    expect(value(after, 'precedent_http_request_duration_seconds_count', ask) - value(before, 'precedent_http_request_duration_seconds_count', ask)).toBe(1);
    const complete = { method: 'POST', route: '/v1/trials/:id/complete', status_code: '200' };
    expect(
      value(after, 'precedent_http_request_duration_seconds_count', complete) - value(before, 'precedent_http_request_duration_seconds_count', complete),
    ).toBe(1);
    expect(value(after, 'precedent_ask_compute_seconds_count') - value(before, 'precedent_ask_compute_seconds_count')).toBe(1);
    expect(value(after, 'precedent_ask_duration_seconds_count') - value(before, 'precedent_ask_duration_seconds_count')).toBe(1);
    expect(value(after, 'precedent_ask_queue_wait_seconds_count') - value(before, 'precedent_ask_queue_wait_seconds_count')).toBe(1);
    expect(value(after, 'precedent_ask_batch_requests_count') - value(before, 'precedent_ask_batch_requests_count')).toBe(1);
    expect(value(after, 'precedent_trials_suggested_total') - value(before, 'precedent_trials_suggested_total')).toBe(2);
    expect(
      value(after, 'precedent_trial_results_total', { outcome: 'completed' }) - value(before, 'precedent_trial_results_total', { outcome: 'completed' }),
    ).toBe(1);
    expect(value(after, 'precedent_ask_phase_seconds_total', { phase: 'optimize' })).toBeGreaterThan(
      value(before, 'precedent_ask_phase_seconds_total', { phase: 'optimize' }),
    );
    expect(value(after, 'precedent_cache_lookups_total', { cache: 'history' })).toBeGreaterThan(
      value(before, 'precedent_cache_lookups_total', { cache: 'history' }),
    );
    expect(after).toMatch(/^precedent_ask_compute_seconds_count\{strategy="(sobol|random|lhs|warm-start|portfolio)"\} \d+$/m);
  });

  it("reports the breaker, readiness, Neo4j transactions and the process's CPU, memory and event-loop lag", () => {
    expect(value(after, 'precedent_neo4j_breaker_open')).toBe(0);
    expect(value(after, 'precedent_ready')).toBe(1);
    expect(after).toContain('precedent_neo4j_transaction_retries_total{mode="WRITE",kind="transient"}');
    expect(after).toContain('precedent_neo4j_transaction_errors_total{mode="READ",kind="unavailable"}');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(after).toMatch(new RegExp(`^${name} `, 'm'));
    }
  });

  it('names no project, experiment, trial, dataset or key, and labels only from small fixed sets', () => {
    for (const secret of secrets) expect(after, secret).not.toContain(secret);
    expect(after).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(after).not.toContain('tenant-');
    const routes = new Set([...after.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    for (const route of routes) expect(route).toMatch(/^(unmatched|\/[\w\-./:*]*)$/);
    expect([...routes].filter((r) => r?.includes('/v1/') && !/^\/v1\/[a-z-]+(\/:id(\/[a-z]+)?)?$/.test(r))).toEqual([]);
  });

  it('is served by a listener of its own, on loopback, answering only GET /metrics', async () => {
    expect(metrics.server.address()).toMatchObject({ address: '127.0.0.1' });
    expect((await fetch(metrics.url.replace('/metrics', '/v1/experiments'))).status).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});

describe('request logs', () => {
  it('carry the request id, route template, status, duration and project id, and an ask its strategy and compute time', async () => {
    const exp = (await api.call('GET', '/v1/experiments?limit=1')).body.items[0];
    await api.call('POST', `/v1/experiments/${exp.id}/suggestions`, {});
    const done = logs.filter((l) => l.msg === 'request completed' && l.route === ASK_ROUTE).at(-1);
    expect(done).toMatchObject({
      reqId: expect.any(String),
      method: 'POST',
      statusCode: 201,
      durationMs: expect.any(Number),
      projectId: api.projectId,
      ask: { strategy: expect.any(String), computeMs: expect.any(Number), queueWaitMs: expect.any(Number), batched: 1, trials: 1 },
    });
    expect(logs.some((l) => l.msg === 'incoming request' && l.reqId === done?.reqId)).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(api.key);
    const unauthorized = await api.app.inject({ method: 'GET', url: '/v1/experiments', headers: { authorization: 'Bearer prc_wrong' } });
    expect(unauthorized.statusCode).toBe(401);
    expect(logs.filter((l) => l.msg === 'request completed' && l.statusCode === 401).at(-1)).toMatchObject({ route: '/v1/experiments' });
    expect(JSON.stringify(logs)).not.toContain('prc_wrong');
  });
});

describe('settings', () => {
  it('PRECEDENT_METRICS_PORT and _HOST place the listener (loopback by default, 0: none); PRECEDENT_PUBLIC_URL names the server', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ PRECEDENT_METRICS_PORT: '0' }).metrics.port).toBe(0);
    expect(loadConfig({ PRECEDENT_METRICS_HOST: '0.0.0.0', PRECEDENT_METRICS_PORT: '9100' }).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(() => loadConfig({ PRECEDENT_METRICS_PORT: '8080' })).toThrow(/PRECEDENT_METRICS_PORT: must differ from PORT/);
    expect(() => loadConfig({ PRECEDENT_METRICS_PORT: 'x' })).toThrow(/PRECEDENT_METRICS_PORT: must be a number/);
    expect(loadConfig({}).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ PRECEDENT_PUBLIC_URL: 'https://hpo.example.org/' }).publicUrl).toBe('https://hpo.example.org');
    expect(() => loadConfig({ PRECEDENT_PUBLIC_URL: 'hpo.example.org' })).toThrow(/PRECEDENT_PUBLIC_URL: must be an http/);
  });

  it('the service started from the command line serves /metrics on its own port, and its OpenAPI servers from PRECEDENT_PUBLIC_URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const service = await startServiceProcess({ PRECEDENT_METRICS_PORT: String(port), PRECEDENT_PUBLIC_URL: 'https://hpo.example.org' });
    try {
      expect(service.output()).toContain(`Metrics         http://127.0.0.1:${port}/metrics`);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^precedent_build_info\{version="[^"]+"\} 1$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
      expect(((await (await fetch(`${service.url}/openapi.json`)).json()) as any).servers[0].url).toBe('https://hpo.example.org');
    } finally {
      await service.stop();
    }
  });
});
