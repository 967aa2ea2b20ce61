/**
 * Prometheus metrics of this process (prom-client), served at GET /metrics by a listener of its own
 * (startMetricsServer: 127.0.0.1:9464 by default, PRECEDENT_METRICS_HOST/PORT; see docs/operations.md).
 *
 * Labels have a fixed, small set of values: a route template (never the URL), a status code, an HTTP
 * method, an optimizer strategy, a phase, a cache name, a transaction mode and an error class. No
 * label carries a project, an experiment, a trial, a dataset, a key or anything else a tenant sent,
 * so a scrape tells nobody about another tenant and the number of series does not grow with use.
 */
import { subscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DatabaseUnavailableError, isOutage } from '../graph/availability.ts';
import type { Graph } from '../graph/driver.ts';
import { TRANSACTION_CHANNEL, type TransactionEvent } from '../graph/tx.ts';
import { ProvenanceStrategySchema } from '../optimizers/schema.ts';
import type { Readiness } from './services/readiness.ts';
import { SERVICE_VERSION } from './version.ts';

/** One registry per process: every app of the process reports into it. */
export const registry = new Registry();

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

new Gauge({ name: 'precedent_build_info', help: 'The running version (always 1)', labelNames: ['version'], registers: [registry] }).set(
  { version: SERVICE_VERSION },
  1,
);

const httpDuration = new Histogram({
  name: 'precedent_http_request_duration_seconds',
  help: 'HTTP requests by route template, method and status: time from arrival to the last byte sent',
  labelNames: ['method', 'route', 'status_code'],
  buckets: SECONDS,
  registers: [registry],
});

const askDuration = new Histogram({
  name: 'precedent_ask_duration_seconds',
  help: 'Asks (POST /v1/experiments/:id/suggestions) answered with trials, by strategy: the whole ask, queue wait included',
  labelNames: ['strategy'],
  buckets: SECONDS,
  registers: [registry],
});
const askCompute = new Histogram({
  name: 'precedent_ask_compute_seconds',
  help: "The optimizer's compute time of the batch that served an ask, by strategy",
  labelNames: ['strategy'],
  buckets: SECONDS,
  registers: [registry],
});
const askQueueWait = new Histogram({
  name: 'precedent_ask_queue_wait_seconds',
  help: "Time an ask waited for its experiment's earlier batches (asks of one experiment are served one batch at a time)",
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
const askBatch = new Histogram({
  name: 'precedent_ask_batch_requests',
  help: 'How many asks the optimizer call that served an ask served together (1: not batched), per ask',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});
const askPhases = new Counter({
  name: 'precedent_ask_phase_seconds_total',
  help: 'Time the batches that served asks spent per phase (history read, choice and reading of priors, optimize, record, ...)',
  labelNames: ['phase'],
  registers: [registry],
});
const asksInFlight = new Gauge({
  name: 'precedent_asks_in_flight',
  help: 'Asks received and not answered yet: waiting in their experiment queue or being computed',
  registers: [registry],
});
const trialsSuggested = new Counter({
  name: 'precedent_trials_suggested_total',
  help: 'Trials handed out by asks, by the strategy that proposed them',
  labelNames: ['strategy'],
  registers: [registry],
});
const trialResults = new Counter({
  name: 'precedent_trial_results_total',
  help: 'Results told through POST /v1/trials/:id/complete and /fail (repeats of the same result included)',
  labelNames: ['outcome'],
  registers: [registry],
});
// Zero from the start: a rate over a series that does not exist yet reads as no data, not 0.
for (const outcome of ['completed', 'failed']) trialResults.inc({ outcome }, 0);

const txRetries = new Counter({
  name: 'precedent_neo4j_transaction_retries_total',
  help: 'Neo4j transactions tried again, by access mode and the class of the error that caused it',
  labelNames: ['mode', 'kind'],
  registers: [registry],
});
const txErrors = new Counter({
  name: 'precedent_neo4j_transaction_errors_total',
  help: 'Neo4j transactions that failed for good (after any retries), by access mode and error class',
  labelNames: ['mode', 'kind'],
  registers: [registry],
});
const ERROR_KINDS = ['unavailable', 'transient', 'client', 'database', 'other'] as const;
for (const mode of ['READ', 'WRITE']) {
  for (const kind of ERROR_KINDS) {
    txRetries.inc({ mode, kind }, 0);
    txErrors.inc({ mode, kind }, 0);
  }
}

/** The apps of this process: their graph (breaker) and readiness. */
const sources = new Set<{ graph: Graph; readiness?: Readiness }>();
const hooked = new WeakSet<Graph>();

new Gauge({
  name: 'precedent_neo4j_breaker_open',
  help: '1 while the Neo4j circuit breaker is open (the database is known to be down and requests answer 503 at once), else 0',
  registers: [registry],
  collect() {
    this.set([...sources].some((s) => s.graph.availability.down) ? 1 : 0);
  },
});
new Gauge({
  name: 'precedent_ready',
  help: '1 when Neo4j answers and the query plans are warm (GET /health answers 200), else 0',
  registers: [registry],
  collect() {
    this.set(sources.size > 0 && [...sources].every((s) => !s.graph.availability.down && (s.readiness?.ready ?? true)) ? 1 : 0);
  },
});
const connectionLost = new Counter({
  name: 'precedent_neo4j_connection_lost_total',
  help: 'Times the connection to Neo4j was lost (the breaker opened, or a restart was met on idle connections)',
  registers: [registry],
});
const breakerClosed = new Counter({
  name: 'precedent_neo4j_breaker_closed_total',
  help: 'Times the breaker closed again after Neo4j came back',
  registers: [registry],
});

/** Caches on the ask path. history: an experiment's history copy (a hit skips the read); prior_history: prior experiments' histories; prior_choice: the similarity search for priors. */
export type CacheName = 'history' | 'prior_history' | 'prior_choice';
const cacheLookups = new Counter({
  name: 'precedent_cache_lookups_total',
  help: 'Cache lookups on the ask path, by cache and result (hit or miss)',
  labelNames: ['cache', 'result'],
  registers: [registry],
});
const cacheEvictions = new Counter({
  name: 'precedent_cache_evictions_total',
  help: 'Entries dropped from a cache to stay within its size',
  labelNames: ['cache'],
  registers: [registry],
});
for (const cache of ['history', 'prior_history', 'prior_choice'] satisfies CacheName[]) {
  cacheLookups.inc({ cache, result: 'hit' }, 0);
  cacheLookups.inc({ cache, result: 'miss' }, 0);
}
cacheEvictions.inc({ cache: 'history' }, 0);

/** Counts lookups of an ask-path cache. */
export function cacheLookup(cache: CacheName, hits: number, misses: number): void {
  if (hits > 0) cacheLookups.inc({ cache, result: 'hit' }, hits);
  if (misses > 0) cacheLookups.inc({ cache, result: 'miss' }, misses);
}

export function cacheEviction(cache: CacheName, n = 1): void {
  if (n > 0) cacheEvictions.inc({ cache }, n);
}

/** The class of a Neo4j error, for a label: never its message. */
export function errorKind(err: unknown): (typeof ERROR_KINDS)[number] {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof DatabaseUnavailableError || isOutage(err)) return 'unavailable';
  if (typeof code !== 'string') return 'other';
  if (code.startsWith('Neo.TransientError.')) return 'transient';
  if (code.startsWith('Neo.ClientError.')) return 'client';
  if (code.startsWith('Neo.DatabaseError.')) return 'database';
  return 'other';
}

// graph/tx.ts publishes each retry and each transaction that failed for good (graph/ does not import src/).
subscribe(TRANSACTION_CHANNEL, (message) => {
  const m = message as TransactionEvent;
  (m.event === 'retry' ? txRetries : txErrors).inc({ mode: m.mode === 'READ' ? 'READ' : 'WRITE', kind: errorKind(m.error) });
});

const STRATEGIES = new Set<string>(ProvenanceStrategySchema.options);
/** Phases of an ask as SuggestionService times them (Server-Timing); anything else counts as `other`. */
const PHASES = new Set(['repair', 'stale', 'history', 'claim', 'choose-priors', 'load-priors', 'optimize', 'record', 'links']);

/**
 * The strategy an ask is labelled with: the optimizer's strategy of its trials (`mixed` when one
 * batch used several), `queued` when all came from the queue a person filled.
 */
export function askStrategy(trials: { strategy: string | null; proposedBy?: string }[]): string {
  const computed = new Set(trials.filter((t) => t.proposedBy !== 'person' && t.strategy !== 'manual').map((t) => t.strategy ?? 'other'));
  if (computed.size === 0) return trials.length ? 'queued' : 'none';
  if (computed.size > 1) return 'mixed';
  const [only] = computed;
  return only && STRATEGIES.has(only) ? only : 'other';
}

/** An answered ask, as the route saw it. Returns the fields its log line gets. */
export function observeAsk(a: { trials: { strategy: string | null; proposedBy?: string }[]; timing: [string, number][]; batched: number; elapsedMs: number }): {
  strategy: string;
  computeMs: number;
  queueWaitMs: number;
  batched: number;
  trials: number;
} {
  const strategy = askStrategy(a.trials);
  let phases = 0;
  let computeMs = 0;
  for (const [name, ms] of a.timing) {
    phases += ms;
    if (name === 'optimize') computeMs += ms;
    askPhases.inc({ phase: PHASES.has(name) ? name : 'other' }, ms / 1000);
  }
  const queueWaitMs = Math.max(0, a.elapsedMs - phases);
  askDuration.observe({ strategy }, a.elapsedMs / 1000);
  askCompute.observe({ strategy }, computeMs / 1000);
  askQueueWait.observe(queueWaitMs / 1000);
  askBatch.observe(a.batched);
  for (const t of a.trials) trialsSuggested.inc({ strategy: askStrategy([t]) });
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { strategy, computeMs: round(computeMs), queueWaitMs: round(queueWaitMs), batched: a.batched, trials: a.trials.length };
}

/** Wraps an ask so that it counts as in flight while it runs. */
export async function inFlight<T>(work: () => Promise<T>): Promise<T> {
  asksInFlight.inc();
  try {
    return await work();
  } finally {
    asksInFlight.dec();
  }
}

export function trialResult(outcome: 'completed' | 'failed'): void {
  trialResults.inc({ outcome });
}

/** Request durations of an app, and its graph's breaker and readiness, while the app is open. */
export function instrument(app: FastifyInstance, graph: Graph, readiness?: Readiness): void {
  app.addHook('onResponse', async (req, reply) => {
    // The route template (`/v1/trials/:id`), never the URL: ids stay out of the labels.
    httpDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const source = { graph, readiness };
  sources.add(source);
  app.addHook('onClose', async () => {
    sources.delete(source);
  });
  if (!hooked.has(graph)) {
    hooked.add(graph);
    graph.availability.onLost(() => connectionLost.inc());
    graph.availability.onUp(() => breakerClosed.inc());
  }
}

let processMetrics = false;

/** CPU, memory, event-loop lag, GC, handles: prom-client's defaults, started once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

/** The scrape text, as GET /metrics answers it. */
export function scrape(): Promise<string> {
  return registry.metrics();
}

export interface MetricsServer {
  server: Server;
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * The listener of GET /metrics: a plain HTTP server of its own, so the API's port (and a load
 * balancer in front of it) never serves metrics. It answers GET/HEAD /metrics and 404 to anything else.
 */
export async function startMetricsServer(opts: { host: string; port: number }): Promise<MetricsServer> {
  collectProcessMetrics();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    scrape().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics collection failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    server,
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
