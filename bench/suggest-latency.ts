/**
 * End-to-end suggestion latency and throughput over real HTTP (loopback) with the local Neo4j.
 *   npx tsx bench/suggest-latency.ts [--priors 50] [--prior-trials 100] [--target-trials 100] [--asks 60] [--seconds 10] [--warmup 30]
 *     [--warmup-warm 15] [--clients process|in-process] [--phases floor,latency,random16,random1,warm16,warm1]
 *     [--cpu-profile <dir>]
 * A fresh Neo4j needs tens of seconds of load before its JIT and query caches settle (the first
 * seconds run at a tenth of the steady rate), so --warmup seconds of ask+tell traffic on throw-away
 * experiments come first; the figures are those of a server that has been running. The warm
 * initial design runs statements and code the random design never does (the priors' edges, the
 * portfolio), so --warmup-warm seconds of it on other throw-away experiments precede the throughput
 * phases; 0 measures the warm phases cold, as sessions up to 9 did.
 * The 16 throughput clients run in a process of their own by default (see support/ask-tell-clients.ts):
 * the service is one Node thread, and clients in it take their HTTP work off its time.
 * `--clients in-process` runs them in the service's process, as sessions 4–6 measured.
 * `--phases` runs only the named measured phases (the warm-ups still run). `--cpu-profile <dir>`
 * samples the service's process during each throughput phase run and prints where its CPU went
 * (bench/support/cpu-profile.ts); the sampling costs CPU of its own, so such figures do not compare.
 * Targets (issue 5): with 100 completed trials and 50 priors × 100 trials, suggestion
 * p50 ≤ 150 ms and p99 ≤ 400 ms; random / warm-initial-design phase ≥ 200 suggestions/s with 16 clients.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKey } from '../graph/repositories/keys.ts';
import { markStale } from '../graph/repositories/suggestions.ts';
import { buildApp } from '../src/app.ts';
import { runImport } from '../src/services/transfer.ts';
import { askTellClients } from './support/ask-tell-clients.ts';
import { lcg, MLP_SPACE, mlpObjective, randomMlpConfig, type MlpConfig } from './support/mlp-task.ts';
import { saveProfile, startCpuProfile } from './support/cpu-profile.ts';
import { benchGraph, cpuMeter, machine, percentile, processCpuMs } from './support/neo4j.ts';

const PHASE_NAMES = ['floor', 'latency', 'random16', 'random1', 'warm16', 'warm1'];
const { values } = parseArgs({
  options: {
    priors: { type: 'string', default: '50' },
    'prior-trials': { type: 'string', default: '100' },
    'target-trials': { type: 'string', default: '100' },
    asks: { type: 'string', default: '60' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '30' },
    'warmup-warm': { type: 'string', default: '15' },
    clients: { type: 'string', default: 'process' },
    phases: { type: 'string', default: PHASE_NAMES.join(',') },
    'cpu-profile': { type: 'string' },
    /** Worker threads for model fits (PRECEDENT_OPTIMIZER_THREADS); 0 runs them on the event loop, as before they existed. */
    'optimizer-threads': { type: 'string' },
  },
});
const PHASES = new Set(values.phases.split(',').map((p) => p.trim()));
for (const p of PHASES) {
  if (!PHASE_NAMES.includes(p)) throw new Error(`--phases: one or more of ${PHASE_NAMES.join(', ')}, not ${p}`);
}
const PROFILE_DIR = values['cpu-profile'];
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const PRIORS = Number(values.priors);
const PRIOR_TRIALS = Number(values['prior-trials']);
const TARGET_TRIALS = Number(values['target-trials']);
const ASKS = Number(values.asks);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const WARMUP_WARM = Number(values['warmup-warm']);
if (values.clients !== 'process' && values.clients !== 'in-process') throw new Error(`--clients: process or in-process, not ${values.clients}`);
const CLIENTS_APART = values.clients === 'process';

const r = lcg(99);
const space = MLP_SPACE;
const randomConfig = () => randomMlpConfig(r);
// The task's loss with a little noise, as a real evaluation would have.
const objective = (c: MlpConfig, shift: number) => mlpObjective(c, shift) + 0.05 * r();

function line(name: string, trials: number, shift: number, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name, taskType: 'classification', metaFeatures: { a: shift, b: shift * 2 + r() * 0.1, c: 5 + r() } },
    experiment: { name, model: { name: 'mlp' }, searchSpace: space, objective: { metric: 'loss', direction: 'minimize' }, seed: 1, ...extra },
    trials: Array.from({ length: trials }, (_, n) => {
      const config = randomConfig();
      return { number: n, state: 'completed', config, value: objective(config, shift) };
    }),
  });
}

const fmt = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms (n=${xs.length})`;
};
const tellP50 = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  ).toFixed(0);

const { graph, pid: neo4jPid, stop } = await benchGraph('suggest');
// The per-key rate limit (default 6000/min) would cap the throughput phases: it is off here.
const app = await buildApp({
  graph,
  rateLimitPerMinute: 0,
  ...(values['optimizer-threads'] === undefined ? {} : { suggestions: { optimizerThreads: Number(values['optimizer-threads']) } }),
});
const clients = CLIENTS_APART ? askTellClients() : null;
try {
  const project = 'bench-suggest';
  const { secret: key, projectId } = await createKey(graph, project, 'bench');
  const priorLines = Array.from({ length: PRIORS }, (_, i) => line(`prior-${i}`, PRIOR_TRIALS, (i % 10) / 10));
  const priorIds = (await runImport(graph, projectId, priorLines.join('\n'))).experiments.map((e) => e.experimentId);
  // Experiments that only generate load (warm-up, floor, random phase) live in a project of their
  // own: they finish with many completed trials and the target's meta-features, and in the main
  // project they would crowd the 50 priors out of the similarity search.
  const scratch = await createKey(graph, `${project}-scratch`, 'bench');
  // Routes for the plumbing floor (below): one empty write statement per request (a stale sweep of
  // an experiment without trials), as a random-phase ask (its record) and tell make one each once
  // the service's copy of the history is current.
  app.post<{ Params: { id: string } }>('/bench/floor/:id/suggestions', async (req, reply) => {
    await markStale(graph, scratch.projectId, req.params.id, 3600);
    return reply.code(201).send({ trials: [{ id: req.params.id }] });
  });
  app.post<{ Params: { id: string } }>('/bench/floor/:id/complete', async (req) => {
    await markStale(graph, scratch.projectId, req.params.id, 3600);
    return { id: req.params.id };
  });
  const target = await runImport(graph, projectId, line('target', TARGET_TRIALS, 0.05, { status: 'running', warmStart: { mode: 'auto', maxPriors: PRIORS } }));
  const targetId = target.experiments[0]!.experimentId;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const headersOf = (secret: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${secret}` });
  const phases = new Map<string, number[]>();
  const post = async (path: string, body: unknown, secret = key) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: headersOf(secret), body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    for (const part of (res.headers.get('server-timing') ?? '').split(',').filter(Boolean)) {
      const [name, dur] = part.trim().split(';dur=');
      if (name && dur) phases.set(name, [...(phases.get(name) ?? []), Number(dur)]);
    }
    return json;
  };
  /** CPU per ask+tell of the service's process, the client process (when apart) and Neo4j. */
  const meter = () => {
    const cpu = cpuMeter(neo4jPid);
    const clients0 = clients ? processCpuMs(clients.pid) : 0;
    return (done: number) => {
      const used = cpu();
      const per = (ms: number) => `${(ms / done).toFixed(1)} ms`;
      if (!clients) return `Node (service + clients, one thread) ${per(used.nodeMs)}, Neo4j ${per(used.neo4jMs)}`;
      return `Node service ${per(used.nodeMs)}, clients ${per(processCpuMs(clients.pid) - clients0)}, Neo4j ${per(used.neo4jMs)}`;
    };
  };
  const phaseSummary = () => {
    const out = [...phases]
      .map(
        ([k, v]) =>
          `${k} ${percentile(
            [...v].sort((a, b) => a - b),
            50,
          ).toFixed(1)}`,
      )
      .join(', ');
    phases.clear();
    return `median ms per phase: ${out}`;
  };

  /**
   * Experiments without results in the initial-design phase (nInitial is never reached). Warm ones
   * learn from the 50 priors (an explicit list: other experiments running in the bench have the
   * target's meta-features and would be chosen by similarity); the others go in the scratch project.
   */
  const throwAway = async (label: string, n: number, warm: boolean) => {
    const experiments: string[] = [];
    for (let c = 0; c < n; c++) {
      const res = await runImport(
        graph,
        warm ? projectId : scratch.projectId,
        line(`${label}-${c}`, 0, 0.05, {
          status: 'running',
          optimizer: { nInitial: 100000 },
          warmStart: warm ? { mode: 'explicit', experiments: priorIds } : { mode: 'off' },
        }),
      );
      experiments.push(res.experiments[0]!.experimentId);
    }
    return { experiments, secret: warm ? key : scratch.secret };
  };
  /**
   * 16 clients, each asking for one suggestion and telling its result, on `experiments` (round robin).
   * `floor` sends the same requests to routes that only run the transactions (see below).
   */
  const askAndTell = async ({ experiments, secret }: { experiments: string[]; secret: string }, seconds: number, floor = false) => {
    if (clients) {
      const {
        done,
        asks,
        tells,
        phases: seen,
      } = await clients.run({
        base,
        secret,
        experiments,
        seconds,
        clients: 16,
        ask: floor ? '/bench/floor' : '/v1/experiments',
        tell: floor ? '/bench/floor' : '/v1/trials',
      });
      for (const [name, durs] of Object.entries(seen)) phases.set(name, [...(phases.get(name) ?? []), ...durs]);
      return { done, asks, tells };
    }
    let done = 0;
    const asks: number[] = [];
    const tells: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 16 }, async (_, c) => {
        const id = experiments[c % experiments.length]!;
        while (performance.now() < until) {
          const t0 = performance.now();
          const { trials } = await post(floor ? `/bench/floor/${id}/suggestions` : `/v1/experiments/${id}/suggestions`, { count: 1 }, secret);
          const t1 = performance.now();
          asks.push(t1 - t0);
          await post(floor ? `/bench/floor/${id}/complete` : `/v1/trials/${trials[0].id}/complete`, { value: r() }, secret);
          tells.push(performance.now() - t1);
          done++;
        }
      }),
    );
    return { done, asks, tells };
  };

  if (WARMUP > 0) {
    const { done } = await askAndTell(await throwAway('warmup', 16, false), WARMUP);
    phases.clear();
    console.log(`warm-up: ${WARMUP} s of ask+tell on 16 throw-away experiments (${(done / WARMUP).toFixed(0)}/s), not counted`);
  }

  if (PHASES.has('floor')) {
    // The plumbing floor: the same HTTP requests from the same clients, and the same number of
    // Neo4j statements as an ask+tell in the random phase (a write; a write), each doing the least
    // work a repository function does: what this request and statement pattern costs with nothing in it.
    const experiments = await throwAway('floor', 16, false);
    const cpu = meter();
    const { done, asks, tells } = await askAndTell(experiments, SECONDS, true);
    console.log(
      `plumbing floor (HTTP + 2 empty statements per ask+tell), 16 clients on 16 experiments: ${(done / SECONDS).toFixed(0)} ask+tell/s; ask ${fmt(asks)}; tell p50 ${tellP50(tells)} ms`,
    );
    console.log(`  CPU per ask+tell: ${cpu(done)}`);
    phases.clear();
  }

  if (PHASES.has('latency')) {
    // Latency: one worker asking and telling on the warm-started experiment with 100+ results.
    const latencies: number[] = [];
    const strategies = new Map<string, number>();
    for (let i = 0; i < ASKS + 5; i++) {
      const t0 = performance.now();
      const { trials } = await post(`/v1/experiments/${targetId}/suggestions`, { count: 1 });
      const ms = performance.now() - t0;
      if (i >= 5) latencies.push(ms);
      const t = trials[0];
      strategies.set(t.strategy, (strategies.get(t.strategy) ?? 0) + 1);
      await post(`/v1/trials/${t.id}/complete`, { value: objective(t.config, 0.05) });
    }
    console.log(
      `suggestion latency, ${TARGET_TRIALS}+ completed trials, ${PRIORS} priors × ${PRIOR_TRIALS} trials (target p50 ≤ 150, p99 ≤ 400) — ${machine()}`,
    );
    console.log(`  ${fmt(latencies)}; strategies ${JSON.stringify(Object.fromEntries(strategies))}`);
    console.log(`  ${phaseSummary()}`);
  }

  // After the latency phase: these experiments share the target's meta-features, and its automatic
  // choice of priors would pick them.
  if (WARMUP_WARM > 0 && (PHASES.has('warm16') || PHASES.has('warm1'))) {
    const { done } = await askAndTell(await throwAway('warmup-warm', 16, true), WARMUP_WARM);
    phases.clear();
    console.log(`warm-up of the warm initial design: ${WARMUP_WARM} s on 16 other throw-away experiments (${(done / WARMUP_WARM).toFixed(0)}/s), not counted`);
  }

  // Throughput in the initial-design phase: 16 clients, each asking then telling, for SECONDS.
  for (const [label, warm] of [
    ['random design, warm start off', false],
    ['warm initial design from the priors', true],
  ] as const) {
    for (const shared of [false, true]) {
      const phase = `${warm ? 'warm' : 'random'}${shared ? 1 : 16}`;
      if (!PHASES.has(phase)) continue;
      const experiments = await throwAway(`tp-${label}-${shared}`, shared ? 1 : 16, warm);
      const profiling = PROFILE_DIR ? await startCpuProfile() : null;
      const cpu = meter();
      const { done, asks, tells } = await askAndTell(experiments, SECONDS);
      if (profiling) console.log(saveProfile(await profiling(), join(PROFILE_DIR!, `${phase}.cpuprofile`)));
      console.log(
        `throughput, ${label}, 16 clients on ${shared ? 'one experiment' : '16 experiments'}: ${(done / SECONDS).toFixed(0)} ask+tell/s (target ≥ 200); ask ${fmt(asks)}; tell p50 ${tellP50(tells)} ms`,
      );
      console.log(`  CPU per ask+tell: ${cpu(done)}`);
      console.log(`  ${phaseSummary()}`);
    }
  }
} finally {
  clients?.stop();
  await app.close();
  await stop();
}
