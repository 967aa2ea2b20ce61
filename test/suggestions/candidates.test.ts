// Candidate menus: an experiment over a finite set of configurations (a grid, the rows of a table) gets
// suggestions only from that set, each at most once, and replay, export and import keep the set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const space = [
  { name: 'kind', type: 'categorical', choices: ['p', 'q', 'r'] },
  { name: 'n', type: 'int', low: 1, high: 50, log: false },
  { name: 'lr', type: 'float', low: 0.001, high: 1, log: true },
];
/** A grid over part of a continuous space: without the menu the optimizer would search all of it. */
const grid = (size: number) =>
  Array.from({ length: size }, (_, i) => ({ kind: ['p', 'q', 'r'][i % 3]!, n: 1 + ((i * 7) % 50), lr: Number((0.001 * 1.15 ** i).toPrecision(6)) }));
const key = (c: Record<string, unknown>) => JSON.stringify([c.kind, c.n, c.lr]);
const loss = (c: { kind: string; n: number; lr: number }) => (c.kind === 'q' ? 0 : 1) + (c.n - 20) ** 2 / 400 + Math.abs(Math.log(c.lr / 0.05));

async function newExperiment(extra: Record<string, unknown>) {
  const d = await api.call('POST', '/v1/datasets', { name: `menu-${Math.random()}`, metaFeatures: { a: 1 } });
  return api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name: 'menu-model' },
    searchSpace: space,
    objective: { metric: 'loss', direction: 'minimize' },
    seed: 5,
    warmStart: { mode: 'off' },
    ...extra,
  });
}

const ask = (id: string, count = 1) => api.call('POST', `/v1/experiments/${id}/suggestions`, { count });

describe('candidate menus', () => {
  it('validates every candidate against the search space, naming it', async () => {
    const bad = grid(5);
    bad[3] = { ...bad[3]!, lr: 2 };
    const r = await newExperiment({ candidates: bad });
    expect(r.status).toBe(400);
    expect(r.body.issues[0].field).toBe('body.candidates.3.lr');
    expect(r.body.message).toMatch(/^body\.candidates\.3\.lr: /);

    const inactive = await newExperiment({ candidates: [{ kind: 'p', n: 3 }] });
    expect(inactive.status).toBe(400);
    expect(inactive.body.issues[0].field).toBe('body.candidates.0.lr');

    const dup = await newExperiment({ candidates: [grid(3)[0], grid(3)[1], { ...grid(3)[0], lr: grid(3)[0]!.lr }] });
    expect(dup.status).toBe(400);
    expect(dup.body.issues[0]).toEqual({ field: 'body.candidates.2', reason: 'duplicate of body.candidates.0' });

    expect((await newExperiment({ candidates: [] })).status).toBe(400);
    const tooMany = await newExperiment({ candidates: Array.from({ length: 20_001 }, () => ({ kind: 'p', n: 1, lr: 0.5 })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issues[0].field).toBe('body.candidates');
  });

  it('says how many candidates there are, and lists them a page at a time', async () => {
    const menu = grid(12);
    const e = (await newExperiment({ candidates: menu })).body;
    expect(e.candidateCount).toBe(12);
    const detail = (await api.call('GET', `/v1/experiments/${e.id}`)).body;
    expect(detail.candidateCount).toBe(12);
    expect(detail.candidates).toBeUndefined();
    const page = (await api.call('GET', `/v1/experiments/${e.id}/candidates?limit=5&offset=10`)).body;
    expect(page).toEqual({ items: menu.slice(10), total: 12, limit: 5, offset: 10, nextOffset: null });
    const first = (await api.call('GET', `/v1/experiments/${e.id}/candidates?limit=5`)).body;
    expect(first.items).toEqual(menu.slice(0, 5));
    expect(first.nextOffset).toBe(5);

    const plain = (await newExperiment({})).body;
    expect(plain.candidateCount).toBe(0);
    expect((await api.call('GET', `/v1/experiments/${plain.id}/candidates`)).body).toMatchObject({ items: [], total: 0 });
  });

  it('suggests only untried candidates, never a pending one, then answers 409 when none is left', async () => {
    const menu = grid(12);
    const onMenu = new Set(menu.map(key));
    const e = (await newExperiment({ candidates: menu })).body;

    // A person's off-menu result is allowed, and it is evidence, not a candidate used up.
    const person = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kind: 'q', n: 33, lr: 0.3 }, value: 0.9 });
    expect(person.status, JSON.stringify(person.body)).toBe(201);

    const first = await ask(e.id, 5);
    const second = await ask(e.id, 5);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const handed = [...first.body.trials, ...second.body.trials].map((t: { config: Record<string, unknown> }) => key(t.config));
    expect(handed).toHaveLength(10);
    expect(new Set(handed).size).toBe(10);
    for (const k of handed) expect(onMenu.has(k), k).toBe(true);

    // Two left: a request for five gets those two, the next one is told why it gets nothing.
    const third = await ask(e.id, 5);
    expect(third.body.trials).toHaveLength(2);
    const all = [...first.body.trials, ...second.body.trials, ...third.body.trials];
    expect(new Set(all.map((t: { config: Record<string, unknown> }) => key(t.config))).size).toBe(12);
    const busy = await ask(e.id);
    expect(busy.status).toBe(409);
    expect(busy.body.message).toMatch(/every candidate left is pending/);
    expect(busy.body.details).toEqual({ candidates: 12, evaluated: 0, pending: 12 });

    // A failed trial counts as tried; a stale or invalidated one would be offered again.
    for (const [i, t] of all.entries()) {
      if (i === 0) await api.call('POST', `/v1/trials/${t.id}/fail`, { reason: 'oom' });
      else await api.call('POST', `/v1/trials/${t.id}/complete`, { value: loss(t.config) });
    }
    const done = await ask(e.id);
    expect(done.status).toBe(409);
    expect(done.body.message).toMatch(/every one of the 12 candidates has been evaluated/);
    expect(done.body.details).toEqual({ candidates: 12, evaluated: 12, pending: 0 });

    // Queued configurations are still handed out, on the menu or not.
    await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kind: 'r', n: 2, lr: 0.01 }, queue: true });
    const queued = await ask(e.id, 3);
    expect(queued.status, JSON.stringify(queued.body)).toBe(201);
    expect(queued.body.trials.map((t: { proposedBy: string }) => t.proposedBy)).toEqual(['person']);

    // An invalidated result frees its candidate again.
    await api.call('POST', `/v1/trials/${all[1].id}/invalidate`, { reason: 'leaky split' });
    const again = await ask(e.id, 2);
    expect(again.status).toBe(201);
    expect(again.body.trials.map((t: { config: Record<string, unknown> }) => key(t.config))).toEqual([key(all[1].config)]);
  });

  it('replays an experiment with a menu exactly, model-based suggestions included', async () => {
    const e = (await newExperiment({ candidates: grid(40) })).body;
    for (const count of [1, 1, 3, 1, 1, 1, 2, 1, 1]) {
      const r = await ask(e.id, count);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      for (const t of r.body.trials) await api.call('POST', `/v1/trials/${t.id}/complete`, { value: loss(t.config) });
    }
    const trials = (await api.call('GET', `/v1/experiments/${e.id}/trials?limit=100`)).body.items;
    expect(trials.map((t: { strategy: string }) => t.strategy)).toContain('gp-bo');
    const replay = (await api.call('GET', `/v1/experiments/${e.id}/replay`)).body;
    expect(replay.mismatches).toEqual([]);
    expect(replay.checked).toBe(12);
    expect(replay.matched).toBe(12);
  });

  it('exports the menu with the experiment, and an import recreates it', async () => {
    const menu = grid(9);
    const e = (await newExperiment({ candidates: menu })).body;
    const [t] = (await ask(e.id)).body.trials;
    await api.call('POST', `/v1/trials/${t.id}/complete`, { value: loss(t.config) });
    const exported = await api.call('GET', `/v1/experiments/${e.id}/export`);
    const line = JSON.parse(exported.text);
    expect(line.experiment.candidates).toEqual(menu);

    const other = await testApi();
    try {
      const imported = await other.call('POST', '/v1/import', exported.text, NDJSON);
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      const id = imported.body.experiments[0].experimentId;
      expect((await other.call('GET', `/v1/experiments/${id}`)).body.candidateCount).toBe(9);
      expect((await other.call('GET', `/v1/experiments/${id}/candidates`)).body.items).toEqual(menu);
      // The copy gets a new id (this one is taken in the first project), and is otherwise the same.
      const reexported = JSON.parse((await other.call('GET', `/v1/experiments/${id}/export`)).text);
      expect({ ...reexported, experiment: { ...reexported.experiment, id: line.experiment.id } }).toEqual(line);
      // The imported menu is live: the evaluated candidate is not offered again.
      const next = await other.call('POST', `/v1/experiments/${id}/suggestions`, { count: 8 });
      expect(next.status, JSON.stringify(next.body)).toBe(201);
      const keys = next.body.trials.map((x: { config: Record<string, unknown> }) => key(x.config));
      expect(keys).toHaveLength(8);
      expect(keys).not.toContain(key(t.config));
    } finally {
      await other.close();
    }

    const bad = { ...line, experiment: { ...line.experiment, id: undefined, candidates: [...menu, { kind: 'z', n: 1, lr: 0.5 }] } };
    const refused = await api.call('POST', '/v1/import', JSON.stringify(bad), NDJSON);
    expect(refused.status).toBe(400);
    expect(refused.body.issues[0].field).toBe('line 1: experiment.candidates.9.kind');

    const withoutMenu = (await newExperiment({})).body;
    const plainLine = JSON.parse((await api.call('GET', `/v1/experiments/${withoutMenu.id}/export`)).text);
    expect('candidates' in plainLine.experiment).toBe(false);
  });

  it('documents the menu in the OpenAPI document', async () => {
    const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.paths['/v1/experiments/{id}/candidates'].get).toBeDefined();
    const body = spec.paths['/v1/experiments'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('candidates');
  });
});
