import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGraph } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const space = [
  { name: 'x', type: 'float', low: -5, high: 10, log: false },
  { name: 'y', type: 'float', low: 0, high: 15, log: false },
];
const branin = (c: { x: number; y: number }) => {
  const { x, y } = c;
  return (y - (5.1 / (4 * Math.PI ** 2)) * x ** 2 + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
};

async function newExperiment(extra: Record<string, unknown> = {}, name = `ds-${Math.random()}`) {
  const d = await api.call('POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name: 'branin' },
    searchSpace: space,
    objective: { metric: 'loss', direction: 'minimize' },
    seed: 11,
    warmStart: { mode: 'off' },
    ...extra,
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  return e.body;
}

const ask = async (id: string, count = 1) => api.call('POST', `/v1/experiments/${id}/suggestions`, { count });

describe('ask/tell', () => {
  it('suggests running trials with provenance, and learns from each result', async () => {
    const e = await newExperiment();
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await ask(e.id);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const [t] = r.body.trials;
      expect(t.state).toBe('running');
      expect(t.proposedBy).toBe('optimizer');
      expect(t.provenance.optimizerVersion).toMatch(/precedent-optimizers/);
      expect(t.provenance.snapshot.seq).toBeGreaterThanOrEqual(0);
      seen.push(t.number);
      await api.call('POST', `/v1/trials/${t.id}/complete`, { value: branin(t.config) });
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const trials = (await api.call('GET', `/v1/experiments/${e.id}/trials`)).body.items;
    const strategies = trials.map((t: { strategy: string }) => t.strategy);
    expect(strategies[0]).not.toBe('gp-bo');
    expect(strategies.at(-1)).toBe('gp-bo');
    const last = (await api.call('GET', `/v1/trials/${trials.at(-1).id}`)).body;
    expect(last.provenance.acquisition.name).toBe('logei');
    expect(Number.isFinite(last.provenance.acquisition.value)).toBe(true);
    expect(last.provenance.model.n).toBeGreaterThanOrEqual(6);
  });

  it('hands out queued configurations first, then optimizer suggestions', async () => {
    const e = await newExperiment();
    const q = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { x: 1, y: 2 }, queue: true, user: 'ada', reason: 'hunch' });
    expect(q.body.state).toBe('queued');
    const r = await ask(e.id, 3);
    expect(r.body.trials).toHaveLength(3);
    expect(r.body.trials[0]).toMatchObject({ id: q.body.id, state: 'running', proposedBy: 'person', config: { x: 1, y: 2 } });
    expect(r.body.trials.slice(1).every((t: { proposedBy: string }) => t.proposedBy === 'optimizer')).toBe(true);
    const keys = r.body.trials.map((t: { configHash: string }) => t.configHash);
    expect(new Set(keys).size).toBe(3);
  });

  it('answers 409 with the reason when paused, finished or out of budget', async () => {
    const e = await newExperiment({ budget: { maxTrials: 2 } });
    await api.call('POST', `/v1/experiments/${e.id}/pause`);
    const paused = await ask(e.id);
    expect(paused.status).toBe(409);
    expect(paused.body.message).toMatch(/paused/);
    await api.call('POST', `/v1/experiments/${e.id}/resume`);
    expect((await ask(e.id, 5)).body.trials).toHaveLength(2);
    const spent = await ask(e.id);
    expect(spent.status).toBe(409);
    expect(spent.body.message).toMatch(/budget/);
    await api.call('PATCH', `/v1/experiments/${e.id}`, { budget: { maxTrials: 3 }, user: 'ada' });
    expect((await ask(e.id)).status).toBe(201);
    await api.call('POST', `/v1/experiments/${e.id}/finish`);
    const finished = await ask(e.id);
    expect(finished.status).toBe(409);
    expect(finished.body.message).toMatch(/finished/);
    expect((await ask(e.id, 0)).body.issues[0].field).toBe('body.count');
  });

  it('records settings changes and excludes invalidated results from learning', async () => {
    const e = await newExperiment();
    const [t] = (await ask(e.id)).body.trials;
    await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 0.1 });
    const inv = await api.call('POST', `/v1/trials/${t.id}/invalidate`, { reason: 'data leak' });
    expect(inv.body.invalid).toBe(true);
    expect((await api.call('GET', `/v1/experiments/${e.id}`)).body.bestTrial).toBeNull();
    const [next] = (await ask(e.id)).body.trials;
    expect(next.provenance.snapshot.seq).toBeGreaterThan(t.provenance.snapshot.seq);
    const patch = await api.call('PATCH', `/v1/experiments/${e.id}`, { warmStart: { mode: 'auto', maxPriors: 5 }, user: 'grace' });
    expect(patch.body.warmStart).toMatchObject({ mode: 'auto', maxPriors: 5 });
    const changes = (await api.call('GET', `/v1/experiments/${e.id}/changes`)).body.items;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ fields: ['warmStart'], by: 'grace', before: { warmStart: { mode: 'off' } } });
    expect((await api.call('PATCH', `/v1/experiments/${e.id}`, {})).status).toBe(400);
  });

  it('applies a settings change from the next ask, though the service keeps a current copy and nothing tells it of the change', async () => {
    const e = await newExperiment();
    const [t] = (await ask(e.id)).body.trials;
    // A told result keeps the service's copy of the history current: the next ask would not read.
    await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 1 });
    expect((await api.call('PATCH', `/v1/experiments/${e.id}`, { optimizer: { strategy: 'random' }, user: 'ada' })).status).toBe(200);
    const [next] = (await ask(e.id)).body.trials;
    expect(next.provenance.strategy).toBe('random');
    expect(next.provenance.snapshot.settings.strategy).toBe('random');
    // The change has an event number of its own, between the result and the new batch.
    expect(next.provenance.snapshot.seq).toBe(t.provenance.snapshot.seq + 3);
  });

  it('replays the suggestion sequence from the recorded history', async () => {
    const e = await newExperiment({ seed: 5 });
    for (let i = 0; i < 9; i++) {
      const trials = (await ask(e.id, i % 3 === 0 ? 2 : 1)).body.trials;
      for (const t of trials) {
        if (i === 4) await api.call('POST', `/v1/trials/${t.id}/fail`, {});
        else await api.call('POST', `/v1/trials/${t.id}/complete`, { value: branin(t.config) });
      }
    }
    const r = await api.call('GET', `/v1/experiments/${e.id}/replay`);
    expect(r.status).toBe(200);
    expect(r.body.checked).toBe(12);
    expect(r.body.mismatches).toEqual([]);
    expect(r.body.matched).toBe(12);

    // A recorded configuration the optimizer would not have produced is caught. (The last one:
    // changing an earlier one changes the history every later suggestion saw.)
    const graph = testGraph();
    try {
      await graph.driver.executeQuery(
        'MATCH (t:Trial {experimentId: $id, number: 11}) SET t.config = \'{"x":0,"y":0}\'',
        { id: e.id },
        { database: graph.database },
      );
    } finally {
      await graph.close();
    }
    const tampered = await api.call('GET', `/v1/experiments/${e.id}/replay`);
    expect(tampered.body.matched).toBe(11);
    expect(tampered.body.mismatches.map((m: { trialNumber: number }) => m.trialNumber)).toEqual([11]);
  });

  it('marks long-running trials stale and still accepts their late result', async () => {
    const fast = await testApi();
    const graph = testGraph();
    const { buildApp } = await import('../../src/app.ts');
    const quick = await buildApp({ graph, suggestions: { staleAfterSeconds: 1 }, logger: { level: 'error' } });
    try {
      const d = await fast.call('POST', '/v1/datasets', { name: 'stale', metaFeatures: { a: 1 } });
      const e = await fast.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'm' },
        searchSpace: space,
        objective: { metric: 'l', direction: 'minimize' },
        warmStart: { mode: 'off' },
      });
      const h = { authorization: `Bearer ${fast.key}` };
      const first = (await quick.inject({ method: 'POST', url: `/v1/experiments/${e.body.id}/suggestions`, headers: h, payload: {} })).json().trials[0];
      await new Promise((r) => setTimeout(r, 1500));
      await quick.inject({ method: 'POST', url: `/v1/experiments/${e.body.id}/suggestions`, headers: h, payload: {} });
      expect((await fast.call('GET', `/v1/trials/${first.id}`)).body.state).toBe('stale');
      const late = await fast.call('POST', `/v1/trials/${first.id}/complete`, { value: 3 });
      expect(late.status).toBe(200);
      expect(late.body.state).toBe('completed');
    } finally {
      await quick.close();
      await graph.close();
      await fast.close();
    }
  });
});
