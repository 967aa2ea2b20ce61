import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, listKeys, revokeKey } from '../../graph/repositories/keys.ts';
import { storedKeyProperties } from '../../graph/repositories/projects.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';

const space = [
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'linear'] },
];

let owner: TestApi;
let intruderKey: string;
let ids: { dataset: string; experiment: string; trial: string };

/** Every /v1 operation of the OpenAPI document, so a route added later is covered without editing this list. */
function v1Operations(api: TestApi): { method: string; path: string }[] {
  const paths = (api.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths)
    .filter(([p]) => p.startsWith('/v1/'))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
}

// A body that passes validation, so a 404 comes from the project scope and not from the schema.
const BODIES: Record<string, unknown> = {
  'PATCH /v1/experiments/{id}': { budget: { maxTrials: 5 } },
  'POST /v1/experiments/{id}/trials': { config: { C: 1, kernel: 'rbf' }, value: 0.5 },
  'POST /v1/experiments/{id}/suggestions': { count: 1 },
  'POST /v1/trials/{id}/complete': { value: 0.1 },
  'POST /v1/trials/{id}/fail': { reason: 'x' },
  'POST /v1/trials/{id}/report': { step: 1, value: 0.2 },
  'POST /v1/trials/{id}/invalidate': { reason: 'x' },
};

beforeAll(async () => {
  owner = await testApi({ authCacheSeconds: 0 });
  intruderKey = await owner.otherKey();
  const d = await owner.call('POST', '/v1/datasets', { name: 'private', metaFeatures: { a: 1, b: 2 } });
  const e = await owner.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    name: 'private experiment',
    model: { name: 'svm' },
    searchSpace: space,
    objective: { metric: 'acc', direction: 'maximize' },
    warmStart: { mode: 'off' },
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  const t = await owner.call('POST', `/v1/experiments/${e.body.id}/trials`, { config: { C: 2, kernel: 'linear' }, value: 0.7 });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  ids = { dataset: d.body.id, experiment: e.body.id, trial: t.body.id };
});
afterAll(() => owner.close());

describe('API keys', () => {
  it('every /v1 route needs a key: none, malformed, unknown → 401 with WWW-Authenticate; /health stays open', async () => {
    const ops = v1Operations(owner);
    expect(ops.length).toBeGreaterThanOrEqual(20);
    for (const { method, path } of ops) {
      const url = path.replace('{id}', ids.experiment);
      for (const authorization of [undefined, 'Bearer', `Basic ${Buffer.from('neo4j:x').toString('base64')}`, 'Bearer prc_not-a-real-key']) {
        const res = await owner.app.inject({
          method: method as 'GET',
          url,
          headers: authorization ? { authorization } : {},
          payload: method === 'GET' ? undefined : {},
        });
        expect(res.statusCode, `${method} ${path} with ${authorization}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.json().message).not.toContain(ids.experiment);
      }
    }
    expect((await owner.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it("another project's resources answer 404 on every route, and nothing of the owner's changes", async () => {
    const before = await owner.call('GET', `/v1/experiments/${ids.experiment}/export`);
    const checked: string[] = [];
    for (const { method, path } of v1Operations(owner)) {
      if (!path.includes('{id}')) continue;
      const id = path.startsWith('/v1/datasets') ? ids.dataset : path.startsWith('/v1/trials') ? ids.trial : ids.experiment;
      const key = `${method} ${path}`;
      const res = await owner.call(method as 'GET', path.replace('{id}', id), method === 'GET' ? undefined : (BODIES[key] ?? {}), {
        authorization: `Bearer ${intruderKey}`,
      });
      expect(res.status, `${key}: ${res.text}`).toBe(404);
      expect(res.text).not.toContain('private');
      checked.push(key);
    }
    expect(checked.length).toBeGreaterThanOrEqual(15);
    const after = await owner.call('GET', `/v1/experiments/${ids.experiment}/export`);
    expect(after.text).toBe(before.text);
  });

  it('lists, similarity search and references never cross projects', async () => {
    const h = { authorization: `Bearer ${intruderKey}` };
    expect((await owner.call('GET', '/v1/datasets', undefined, h)).body.items).toEqual([]);
    expect((await owner.call('GET', '/v1/experiments', undefined, h)).body.items).toEqual([]);
    const similar = await owner.call('POST', '/v1/similar-experiments', { metaFeatures: { a: 1, b: 2 } }, h);
    expect(similar.status, similar.text).toBe(200);
    expect(similar.text).not.toContain(ids.experiment);
    // An experiment on another project's dataset, or warm-started from another project's experiment.
    const onForeign = await owner.call(
      'POST',
      '/v1/experiments',
      { datasetId: ids.dataset, model: { name: 'svm' }, searchSpace: space, objective: { metric: 'acc', direction: 'maximize' } },
      h,
    );
    expect(onForeign.status).toBe(404);
    const d = await owner.call('POST', '/v1/datasets', { name: 'mine', metaFeatures: { a: 1 } }, h);
    const learnFromForeign = await owner.call(
      'POST',
      '/v1/experiments',
      {
        datasetId: d.body.id,
        model: { name: 'svm' },
        searchSpace: space,
        objective: { metric: 'acc', direction: 'maximize' },
        warmStart: { mode: 'explicit', experiments: [ids.experiment] },
      },
      h,
    );
    expect(learnFromForeign.status).toBe(400);
    expect(learnFromForeign.body.issues[0].field).toBe('body.warmStart.experiments.0');
    expect(learnFromForeign.text).not.toContain('private');
  });

  it('a revoked key stops working; keys are stored only as hashes', async () => {
    const graph = testGraph();
    try {
      const { secret, key } = await createKey(graph, owner.project, 'to revoke');
      const h = { authorization: `Bearer ${secret}` };
      expect((await owner.call('GET', '/v1/experiments', undefined, h)).status).toBe(200);
      await revokeKey(graph, key.id);
      expect((await owner.call('GET', '/v1/experiments', undefined, h)).status).toBe(401);
      const listed = await listKeys(graph, owner.project);
      expect(listed.find((k) => k.id === key.id)?.revokedAt).toBeTruthy();
      expect(JSON.stringify(listed)).not.toContain(secret);
      const stored = await storedKeyProperties(graph, key.id);
      expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(secret.slice(KEY_TAIL));
    } finally {
      await graph.close();
    }
  });
});

/** Characters of the secret past its public hint; none of them may be stored. */
const KEY_TAIL = 8;
