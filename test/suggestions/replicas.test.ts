// Two service replicas on one Neo4j, 16 workers spread over both: each replica serializes asks per
// experiment only for itself, so what keeps the budget, the menu and the configurations unique is the
// recording transaction. Every scenario ends with the invariants checked in the graph and a replay.
import { describe, expect, it } from 'vitest';
import { experimentLine } from '../support/experiment-line.ts';
import { twoReplicas } from '../support/service-process.ts';

const WORKERS = 16;
const ctx = twoReplicas('replicas');

async function call(replica: number, method: 'GET' | 'POST', url: string, payload?: unknown, type = 'application/json') {
  const res = await fetch(`${ctx.replicas[replica % 2]!.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${ctx.secret}`, ...(payload === undefined ? {} : { 'content-type': type }) },
    ...(payload === undefined ? {} : { body: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function experiment(name: string, extra: Record<string, unknown>): Promise<string> {
  const d = await call(0, 'POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await call(0, 'POST', '/v1/experiments', {
    name,
    datasetId: d.body.id,
    model: { name: 'replicas' },
    searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    objective: { metric: 'loss', direction: 'minimize' },
    seed: 5,
    warmStart: { mode: 'off' },
    ...extra,
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  return e.body.id;
}

/** Worker w asks replica w % 2 for one configuration at a time and tells its result, until a 409. */
async function work(worker: number, experimentId: string): Promise<number> {
  let told = 0;
  for (;;) {
    const r = await call(worker, 'POST', `/v1/experiments/${experimentId}/suggestions`, { count: 1 });
    if (r.status === 409) return told;
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    for (const t of r.body.trials) {
      const done = await call(worker + 1, 'POST', `/v1/trials/${t.id}/complete`, { value: Math.abs((t.config.x as number) - 0.3) });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      told++;
    }
  }
}

async function trialsOf(experimentId: string) {
  const res = await ctx.graph.driver.executeQuery(
    'MATCH (t:Trial) WHERE t.experimentId = $id RETURN t.number AS number, t.state AS state, t.configHash AS hash ORDER BY t.number',
    { id: experimentId },
    { database: ctx.graph.database },
  );
  return res.records.map((r) => r.toObject() as { number: number; state: string; hash: string });
}

async function checkInvariants(experimentId: string, expected: number, told: number) {
  const trials = await trialsOf(experimentId);
  expect(
    trials.map((t) => t.number),
    'numbers unique and gap-free',
  ).toEqual(Array.from({ length: trials.length }, (_, i) => i));
  expect(trials.length, 'trials beyond the budget or the menu').toBe(expected);
  expect(new Set(trials.map((t) => t.hash)).size, 'repeated configurations').toBe(trials.length);
  expect(trials.every((t) => t.state === 'completed')).toBe(true);
  expect(told, 'every acknowledged result stored once').toBe(expected);
  const replay = await call(0, 'GET', `/v1/experiments/${experimentId}/replay`);
  expect(replay.body.mismatches).toEqual([]);
  expect(replay.body.checked).toBe(expected);
}

describe('two replicas, 16 workers, one Neo4j', () => {
  it('keeps the budget and never repeats a configuration (warm start off)', async () => {
    const id = await experiment('budget', { budget: { maxTrials: 48 }, optimizer: { nInitial: 6 } });
    const told = await Promise.all(Array.from({ length: WORKERS }, (_, w) => work(w, id)));
    await checkInvariants(
      id,
      48,
      told.reduce((a, b) => a + b, 0),
    );
  }, 120_000);

  it('keeps the budget with warm start from imported priors', async () => {
    const lines = [0, 1, 2].map((i) => experimentLine('replicas-warm', `prior-${i}`, 12, { mode: 'off' })).join('\n');
    const imported = await call(0, 'POST', '/v1/import', lines, 'application/x-ndjson');
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const id = await experiment('warm', { model: { name: 'replicas-warm' }, warmStart: { mode: 'auto' }, budget: { maxTrials: 40 } });
    const told = await Promise.all(Array.from({ length: WORKERS }, (_, w) => work(w, id)));
    await checkInvariants(
      id,
      40,
      told.reduce((a, b) => a + b, 0),
    );
    const first = await call(0, 'GET', `/v1/experiments/${id}/trials?limit=1`);
    expect(first.body.items[0].provenance.priors.length).toBeGreaterThan(0);
  }, 120_000);

  it('evaluates every candidate of a menu once', async () => {
    const candidates = Array.from({ length: 40 }, (_, i) => ({ x: i / 40 }));
    const id = await experiment('menu', { candidates, optimizer: { nInitial: 6 } });
    const told = await Promise.all(Array.from({ length: WORKERS }, (_, w) => work(w, id)));
    await checkInvariants(
      id,
      40,
      told.reduce((a, b) => a + b, 0),
    );
  }, 120_000);

  it('keeps eight small budgets', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => experiment(`small-${i}`, { budget: { maxTrials: 5 }, seed: 100 + i })));
    const told = await Promise.all(Array.from({ length: WORKERS }, (_, w) => work(w, ids[w % 8]!)));
    for (const [i, id] of ids.entries()) await checkInvariants(id, 5, told[i]! + told[i + 8]!);
  }, 120_000);
});
