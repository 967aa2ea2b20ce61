/**
 * The core of `bench/load.ts`: many autocannon connections asking and telling over HTTP against a running
 * service (any base URL + API key), then a reconciliation of everything told against the stored trials.
 * Kept apart from the CLI so a test can run it against a test app for a few seconds.
 */
import autocannon from 'autocannon';
import { percentile } from '../support/neo4j.ts';

/** 'auto' is what users get (design, then GP-BO); 'random' keeps the optimizer cheap. */
export type LoadStrategy = 'auto' | 'random';

export interface LoadOptions {
  /** e.g. http://127.0.0.1:8080 (no trailing /v1) */
  base: string;
  /**
   * Other service processes on the same Neo4j (base URLs): the connections are dealt round-robin over
   * `base` and these, so the connections of one experiment ask and tell through different processes.
   */
  replicas?: string[];
  key: string;
  connections: number;
  /** seconds */
  duration: number;
  /** Sequential ask+tell rounds per experiment before the load (compiles query plans, warms the JIT); told values are reconciled too. */
  warmup?: number;
  /** Seconds autocannon waits for one response before counting a timeout (default 10). */
  timeout?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadResult {
  experimentIds: string[];
  /** Seconds autocannon ran. */
  seconds: number;
  /** Requests (asks + tells) with a response, and per second. */
  requests: number;
  requestsPerSecond: number;
  asks: number;
  asksPerSecond: number;
  tells: number;
  /** autocannon's histogram over asks and tells together, ms. */
  latency: { p50: number; p99: number; p999: number; max: number };
  ask: LatencySummary;
  tell: LatencySummary;
  non2xx: number;
  /** Responses that were not 201 (ask) / 200 (tell), or an ask with no trial. */
  unexpected: number;
  errors: number;
  timeouts: number;
  resets: number;
  /** The first few unexpected responses, with their bodies. */
  samples: string[];
  /** trial.strategy of every answered ask. */
  strategies: Record<string, number>;
  /** Median ms per phase of the asks, from their Server-Timing header. */
  phases: Record<string, number>;
  reconciliation: Reconciliation;
}

export interface Reconciliation {
  told: number;
  /** Trials found in the graph over all experiments, by state. */
  stored: Record<string, number>;
  /** Completed in the graph but the bench never saw the 200 (the run ended while the answer was on its way). */
  completedUnseen: number;
  mismatches: string[];
}

/** The told value: a pure function of the configuration, so it can be checked afterwards. */
export const objective = (c: { x: number; y: number }) => (c.x - 0.3) ** 2 + ((c.y - 40) / 100) ** 2;

const space = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'y', type: 'int', low: 1, high: 100, log: false },
];

function summary(xs: number[]): LatencySummary {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), p999: percentile(s, 99.9), max: s.at(-1) ?? NaN };
}

/** Creates one dataset and `experiments` experiments in the key's project; returns the experiment ids. */
export async function setupExperiments(base: string, key: string, experiments: number, strategy: LoadStrategy): Promise<string[]> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tag = Date.now().toString(36);
  const ds = await post('/v1/datasets', { name: `load-${tag}`, metaFeatures: { rows: 1000, features: 2 } });
  const ids: string[] = [];
  for (let i = 0; i < experiments; i++) {
    const e = await post('/v1/experiments', {
      name: `load-${tag}-${i}`,
      datasetId: ds.id,
      model: { name: 'load' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'minimize' },
      seed: i + 1,
      warmStart: { mode: 'off' },
      optimizer: strategy === 'auto' ? {} : { strategy },
    });
    ids.push(e.id);
  }
  return ids;
}

/** Runs the load on existing experiments (see setupExperiments) and reconciles afterwards. */
export async function runLoad(opts: LoadOptions, experimentIds: string[]): Promise<LoadResult> {
  const log = opts.log ?? (() => {});
  const auth = `Bearer ${opts.key}`;
  const jsonHeaders = { 'content-type': 'application/json', authorization: auth };
  const told = new Map<string, { value: number; experimentId: string }>();
  const asked = new Set<string>();
  const askMs: number[] = [];
  const tellMs: number[] = [];
  const strategies: Record<string, number> = {};
  const phases = new Map<string, number[]>();
  const samples: string[] = [];
  let asks = 0;
  let tells = 0;
  let unexpected = 0;
  const odd = (what: string, status: number, body: string) => {
    unexpected++;
    if (samples.length < 10) samples.push(`${what} → ${status} ${body.slice(0, 500)}`);
  };

  interface Ctx {
    t0?: number;
    trialId?: string;
    value?: number;
  }
  /** One connection's chain, pinned to one experiment: ask, then tell the value of what it got. */
  const chain = (experimentId: string): autocannon.Request[] => [
    {
      method: 'POST',
      path: `/v1/experiments/${experimentId}/suggestions`,
      headers: jsonHeaders,
      body: JSON.stringify({ count: 1 }),
      setupRequest: (req, context) => {
        (context as Ctx).t0 = performance.now();
        return req;
      },
      onResponse: (status, body, context, headers) => {
        const ctx = context as Ctx;
        if (ctx.t0 !== undefined) askMs.push(performance.now() - ctx.t0);
        const st = headers?.['server-timing'] ?? headers?.['Server-Timing'];
        for (const part of String(st ?? '')
          .split(',')
          .filter(Boolean)) {
          const [name, dur] = part.trim().split(';dur=');
          if (name && dur) phases.set(name, [...(phases.get(name) ?? []), Number(dur)]);
        }
        if (status !== 201) return odd(`ask ${experimentId}`, status, body);
        const t = (JSON.parse(body) as { trials: { id: string; config: { x: number; y: number }; strategy: string | null }[] }).trials[0];
        if (!t) return odd(`ask ${experimentId} (no trial)`, status, body);
        asks++;
        if (asked.has(t.id)) odd(`ask ${experimentId} (trial handed out twice)`, status, body);
        asked.add(t.id);
        strategies[t.strategy ?? 'null'] = (strategies[t.strategy ?? 'null'] ?? 0) + 1;
        ctx.trialId = t.id;
        ctx.value = objective(t.config);
      },
    },
    {
      method: 'POST',
      path: '/v1/trials/:id/complete',
      headers: jsonHeaders,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        // No trial (the ask failed): start over with the next ask (autocannon counts a reset).
        if (ctx.trialId === undefined || ctx.value === undefined) return undefined as unknown as autocannon.Request;
        ctx.t0 = performance.now();
        return { ...req, path: `/v1/trials/${ctx.trialId}/complete`, body: JSON.stringify({ value: ctx.value }) };
      },
      onResponse: (status, body, context) => {
        const ctx = context as Ctx;
        if (ctx.t0 !== undefined) tellMs.push(performance.now() - ctx.t0);
        if (status !== 200) return odd(`tell ${ctx.trialId}`, status, body);
        tells++;
        told.set(ctx.trialId!, { value: ctx.value!, experimentId });
      },
    },
  ];

  for (let round = 0; round < (opts.warmup ?? 0); round++) {
    for (const experimentId of experimentIds) {
      const a = await fetch(`${opts.base}/v1/experiments/${experimentId}/suggestions`, {
        method: 'POST',
        headers: jsonHeaders,
        body: JSON.stringify({ count: 1 }),
      });
      const ab = (await a.json()) as any;
      if (a.status !== 201) throw new Error(`warm-up ask: ${a.status} ${JSON.stringify(ab)}`);
      const t = ab.trials[0];
      asked.add(t.id);
      const value = objective(t.config);
      const c = await fetch(`${opts.base}/v1/trials/${t.id}/complete`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ value }) });
      if (c.status !== 200) throw new Error(`warm-up tell: ${c.status} ${await c.text()}`);
      told.set(t.id, { value, experimentId });
    }
  }

  // One autocannon instance per process; connection c goes to process c mod N and asks on experiment
  // c mod experiments (as with one process), so with N processes each experiment is asked through all.
  const bases = [opts.base, ...(opts.replicas ?? [])];
  let client = 0;
  const start = performance.now();
  const instances: autocannon.Instance[] = [];
  const runs = bases.map((url, b) => {
    const connections = Math.floor(opts.connections / bases.length) + (b < opts.connections % bases.length ? 1 : 0);
    return new Promise<autocannon.Result>((resolve, reject) => {
      instances.push(
        autocannon(
          {
            url,
            connections,
            duration: opts.duration,
            timeout: opts.timeout ?? 10,
            // The chain below replaces this per connection (setupClient), before anything is sent.
            requests: chain(experimentIds[0]!),
            setupClient: (c) => c.setRequests(chain(experimentIds[client++ % experimentIds.length]!)),
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        ),
      );
    });
  });
  const done = Promise.all(runs);
  // Bounded: autocannon stops itself after `duration`; if it has not finished well after, stop it.
  const guard = setTimeout(
    () => {
      log(`autocannon still running ${opts.duration + 30} s after the start; stopping it`);
      for (const i of instances) i.stop();
    },
    (opts.duration + 30) * 1000,
  );
  const progress = setInterval(
    () => log(`  … ${((performance.now() - start) / 1000).toFixed(0)} s: ${asks} asks, ${tells} tells, ${unexpected} unexpected`),
    10_000,
  );
  let results: autocannon.Result[];
  try {
    results = await done;
  } finally {
    clearTimeout(guard);
    clearInterval(progress);
  }
  const seconds = Math.max(...results.map((r) => r.duration));
  const total = (f: (r: autocannon.Result) => number) => results.reduce((sum, r) => sum + f(r), 0);
  // autocannon's histogram is per instance: with several processes the figures come from our own timings.
  const both = summary([...askMs, ...tellMs]);
  const latency =
    results.length === 1
      ? { p50: results[0]!.latency.p50, p99: results[0]!.latency.p99, p999: results[0]!.latency.p99_9, max: results[0]!.latency.max }
      : { p50: both.p50, p99: both.p99, p999: both.p999, max: both.max };

  const reconciliation = await reconcile(opts.base, opts.key, experimentIds, told);
  const ask = summary(askMs);
  const tell = summary(tellMs);
  return {
    experimentIds,
    seconds,
    requests: askMs.length + tellMs.length,
    requestsPerSecond: (askMs.length + tellMs.length) / seconds,
    asks,
    asksPerSecond: asks / seconds,
    tells,
    latency,
    ask,
    tell,
    non2xx: total((r) => r.non2xx),
    unexpected,
    errors: total((r) => r.errors),
    timeouts: total((r) => r.timeouts),
    resets: total((r) => r.resets),
    samples,
    strategies,
    phases: Object.fromEntries(
      [...phases].map(([k, v]) => [
        k,
        percentile(
          [...v].sort((a, b) => a - b),
          50,
        ),
      ]),
    ),
    reconciliation,
  };
}

interface StoredTrial {
  id: string;
  experimentId: string;
  number: number;
  state: string;
  value: number | null;
  configHash: string;
  startedAt: string | null;
  completedAt: string | null;
}

/**
 * Every told (trial, value) must be stored completed with exactly that value in its experiment; trial
 * numbers must be 0…n−1 per experiment; two trials with the same configuration must never have been
 * pending at the same time.
 */
export async function reconcile(
  base: string,
  key: string,
  experimentIds: string[],
  told: Map<string, { value: number; experimentId: string }>,
): Promise<Reconciliation> {
  const mismatches: string[] = [];
  const stored: Record<string, number> = {};
  const byId = new Map<string, StoredTrial>();
  for (const id of experimentIds) {
    const trials: StoredTrial[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const res = await fetch(`${base}/v1/experiments/${id}/trials?limit=500&offset=${offset}`, { headers: { authorization: `Bearer ${key}` } });
      const page = (await res.json()) as { items: StoredTrial[]; nextOffset: number | null };
      if (res.status !== 200) throw new Error(`GET trials of ${id}: ${res.status} ${JSON.stringify(page)}`);
      trials.push(...page.items);
      offset = page.nextOffset;
    }
    const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
    const gap = numbers.findIndex((n, i) => n !== i);
    if (gap >= 0) mismatches.push(`experiment ${id}: trial numbers not 0…${numbers.length - 1} (at position ${gap}: ${numbers[gap]})`);
    const byHash = new Map<string, StoredTrial[]>();
    for (const t of trials) {
      stored[t.state] = (stored[t.state] ?? 0) + 1;
      byId.set(t.id, t);
      byHash.set(t.configHash, [...(byHash.get(t.configHash) ?? []), t]);
    }
    // Pending = [startedAt, completedAt) (still running: open-ended).
    const span = (t: StoredTrial) => [Date.parse(t.startedAt ?? ''), t.completedAt ? Date.parse(t.completedAt) : Infinity] as const;
    for (const same of byHash.values()) {
      for (let i = 0; i < same.length; i++) {
        for (let j = i + 1; j < same.length; j++) {
          const [a0, a1] = span(same[i]!);
          const [b0, b1] = span(same[j]!);
          if (a0 < b1 && b0 < a1)
            mismatches.push(`experiment ${id}: trials ${same[i]!.number} and ${same[j]!.number} share a configuration and were pending together`);
        }
      }
    }
  }
  for (const [trialId, { value, experimentId }] of told) {
    const t = byId.get(trialId);
    if (!t) mismatches.push(`told trial ${trialId} (value ${value}) is not stored`);
    else if (t.experimentId !== experimentId) mismatches.push(`told trial ${trialId} is stored in experiment ${t.experimentId}, asked in ${experimentId}`);
    else if (t.state !== 'completed') mismatches.push(`told trial ${trialId} is ${t.state}`);
    else if (t.value !== value) mismatches.push(`told trial ${trialId}: told ${value}, stored ${t.value}`);
  }
  const completedUnseen = [...byId.values()].filter((t) => t.state === 'completed' && !told.has(t.id)).length;
  return { told: told.size, stored, completedUnseen, mismatches };
}

/** The lines the CLI prints (and a test can show on failure). */
export function report(r: LoadResult, connections: number): string[] {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
  const lat = (s: LatencySummary) => `p50 ${f(s.p50)} / p99 ${f(s.p99)} / p99.9 ${f(s.p999)} / max ${f(s.max)} ms (n=${s.n})`;
  const rec = r.reconciliation;
  const lines = [
    `  ${r.requestsPerSecond.toFixed(1)} requests/s (ask+tell), ${r.asksPerSecond.toFixed(1)} asks/s over ${r.seconds.toFixed(1)} s: ${r.asks} asks, ${r.tells} tells, ${connections} connections on ${r.experimentIds.length} experiments`,
    `  latency, asks and tells together (autocannon): p50 ${r.latency.p50} / p99 ${r.latency.p99} / p99.9 ${r.latency.p999} / max ${r.latency.max} ms`,
    `  ask  ${lat(r.ask)}`,
    `  tell ${lat(r.tell)}`,
    `  strategies of the answered asks: ${JSON.stringify(r.strategies)}`,
    `  ask, median ms per phase (Server-Timing): ${Object.entries(r.phases)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
    `  non-2xx ${r.non2xx}, unexpected responses ${r.unexpected}, errors ${r.errors}, timeouts ${r.timeouts}, resets ${r.resets}`,
    ...r.samples.map((s) => `    ${s}`),
    `  stored trials by state: ${JSON.stringify(rec.stored)}; completed but the 200 arrived after the end: ${rec.completedUnseen}`,
    rec.mismatches.length === 0
      ? `  reconciled: ${rec.told} told values, all present`
      : `  NOT reconciled: ${rec.mismatches.length} mismatches over ${rec.told} told values:\n${rec.mismatches
          .slice(0, 20)
          .map((m) => `    ${m}`)
          .join('\n')}`,
  ];
  return lines;
}

/** Zero errors, zero non-2xx and unexpected responses, and a clean reconciliation. */
export const passed = (r: LoadResult) =>
  r.non2xx === 0 && r.unexpected === 0 && r.errors === 0 && r.timeouts === 0 && r.reconciliation.mismatches.length === 0 && r.asks > 0;
