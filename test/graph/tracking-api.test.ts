import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGraph } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const space = [
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'linear'] },
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
  { name: 'gamma', type: 'float', low: 0.0001, high: 10, log: true, condition: { parent: 'kernel', values: ['rbf'] } },
  { name: 'depth', type: 'int', low: 1, high: 10, log: false },
];

async function dataset(name = 'iris', meta: Record<string, number> = { number_of_instances: 150, class_entropy: 1.58 }) {
  const r = await api.call('POST', '/v1/datasets', { name, taskType: 'classification', instances: 150, metaFeatures: meta });
  expect([200, 201]).toContain(r.status);
  return r.body;
}

async function experiment(datasetId: string, extra: Record<string, unknown> = {}) {
  const r = await api.call('POST', '/v1/experiments', {
    datasetId,
    model: { name: 'svm', library: 'sklearn', family: 'kernel' },
    searchSpace: space,
    objective: { metric: 'accuracy', direction: 'maximize' },
    seed: 7,
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('datasets', () => {
  it('creates, reads, lists and de-duplicates by name and version', async () => {
    const d = await dataset('wine', { number_of_instances: 178, class_entropy: 1.57 });
    expect(d).toMatchObject({ name: 'wine', version: '1', taskType: 'classification', metaFeatures: { number_of_instances: 178, class_entropy: 1.57 } });
    const again = await api.call('POST', '/v1/datasets', { name: 'wine', taskType: 'classification', metaFeatures: {} });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(d.id);
    expect((await api.call('GET', `/v1/datasets/${d.id}`)).body.name).toBe('wine');
    const list = await api.call('GET', '/v1/datasets?name=WIN');
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([d.id]);
    expect(list.body.total).toBe(1);
  });

  it('rejects a different fingerprint under the same version with 409', async () => {
    await api.call('POST', '/v1/datasets', { name: 'fp', fingerprint: 'sha256:aaa' });
    const r = await api.call('POST', '/v1/datasets', { name: 'fp', fingerprint: 'sha256:bbb' });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/different fingerprint/);
    expect((await api.call('POST', '/v1/datasets', { name: 'fp', version: '2', fingerprint: 'sha256:bbb' })).status).toBe(201);
  });

  it('rejects other meta-features under the same name and version with 409 naming them, and keeps the registered ones', async () => {
    const first = await api.call('POST', '/v1/datasets', { name: 'mf', metaFeatures: { number_of_instance: 100, nr_features: 3 } });
    expect(first.status).toBe(201);
    // Names one letter off the profiler's are pointed out (similarity compares meta-features by name);
    // another tool's naming (nr_features) is not a misspelling.
    expect(first.body.notes).toEqual([
      "meta-feature 'number_of_instance' is not one the profiler computes; did you mean 'number_of_instances'? Similarity compares meta-features by name, so datasets profiled from a CSV have no 'number_of_instance'",
    ]);
    expect((await api.call('POST', '/v1/datasets', { name: 'mf', metaFeatures: { nr_features: 3, number_of_instance: 100 } })).status).toBe(200);
    const r = await api.call('POST', '/v1/datasets', { name: 'mf', metaFeatures: { number_of_instances: 100, nr_features: 3 } });
    expect(r.status).toBe(409);
    expect(r.body.message).toContain('number_of_instance: given —, registered 100; number_of_instances: given 100, registered —');
    expect((await api.call('GET', `/v1/datasets/${first.body.id}`)).body.metaFeatures).toEqual({ number_of_instance: 100, nr_features: 3 });
    const fixed = await api.call('POST', '/v1/datasets', { name: 'mf', version: '2', metaFeatures: { number_of_instances: 100, number_of_features: 3 } });
    expect(fixed.status).toBe(201);
    expect(fixed.body.notes).toBeUndefined();
  });

  it('gives 400 with the field and reason for bad input, and 404 for unknown ids', async () => {
    const r = await api.call('POST', '/v1/datasets', { name: '', metaFeatures: { x: 'high' } });
    expect(r.status).toBe(400);
    const fields = r.body.issues.map((i: { field: string }) => i.field);
    expect(fields).toContain('body.name');
    expect(fields).toContain('body.metaFeatures.x');
    expect((await api.call('GET', '/v1/datasets/6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11')).status).toBe(404);
    expect((await api.call('GET', '/v1/datasets/not-a-uuid')).body.issues[0].field).toBe('params.id');
    expect((await api.call('GET', '/v1/datasets?limit=100000')).body.issues[0].field).toBe('querystring.limit');
  });
});

describe('experiments', () => {
  it('creates an experiment linked to its dataset, model and hyperparameters', async () => {
    const d = await dataset();
    const e = await experiment(d.id, { name: 'svm-iris' });
    expect(e).toMatchObject({ name: 'svm-iris', status: 'running', datasetId: d.id, datasetName: 'iris', seed: 7, trialCount: 0 });
    expect(e.model).toMatchObject({ name: 'svm', library: 'sklearn', family: 'kernel' });
    expect(e.warmStart.mode).toBe('auto');
    const graph = testGraph();
    try {
      const res = await graph.driver.executeQuery(
        `MATCH (p:Project)-[:HAS_EXPERIMENT]->(e:Experiment {id: $id})-[:ON_DATASET]->(d:Dataset), (e)-[:OF_MODEL]->(m:Model)-[:HAS_HYPERPARAMETER]->(h:Hyperparameter)<-[s:SEARCHES]-(e)
         RETURN p.name AS project, d.name AS dataset, m.name AS model, collect(h.name) AS params`,
        { id: e.id },
        { database: graph.database },
      );
      const row = res.records[0]?.toObject();
      expect(row?.project).toBe(api.project);
      expect(row?.dataset).toBe('iris');
      expect([...(row!.params as string[])].sort()).toEqual(['C', 'depth', 'gamma', 'kernel']);
    } finally {
      await graph.close();
    }
  });

  it('records a drawn seed when none is given', async () => {
    const d = await dataset('seedless');
    const e = await experiment(d.id, { seed: undefined });
    expect(Number.isInteger(e.seed)).toBe(true);
  });

  it('rejects unusable search spaces and unknown datasets', async () => {
    const d = await dataset('bad-space');
    const r = await api.call('POST', '/v1/experiments', {
      datasetId: d.id,
      model: { name: 'svm' },
      searchSpace: [{ name: 'lr', type: 'float', low: 0, high: 1, log: true }],
      objective: { metric: 'loss', direction: 'minimize' },
    });
    expect(r.status).toBe(400);
    expect(r.body.issues[0]).toEqual({ field: 'body.searchSpace.lr', reason: 'log scale needs low > 0' });
    const missing = await api.call('POST', '/v1/experiments', {
      datasetId: '6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11',
      model: { name: 'svm' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'minimize' },
    });
    expect(missing.status).toBe(404);
    const wrongDirection = await api.call('POST', '/v1/experiments', {
      datasetId: d.id,
      model: { name: 'svm' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'down' },
    });
    expect(wrongDirection.body.issues[0].field).toBe('body.objective.direction');
  });

  it('filters and paginates the list', async () => {
    const d1 = await dataset('list-a');
    const d2 = await dataset('list-b');
    const a = await experiment(d1.id);
    const b = await experiment(d2.id);
    await experiment(d2.id, { model: { name: 'xgboost' } });
    const byDataset = await api.call('GET', `/v1/experiments?datasetId=${d2.id}`);
    expect(byDataset.body.total).toBe(2);
    const byModel = await api.call('GET', `/v1/experiments?datasetId=${d2.id}&model=svm`);
    expect(byModel.body.items.map((x: { id: string }) => x.id)).toEqual([b.id]);
    await api.call('POST', `/v1/experiments/${a.id}/pause`);
    const paused = await api.call('GET', '/v1/experiments?status=paused');
    expect(paused.body.items.map((x: { id: string }) => x.id)).toEqual([a.id]);
    const p1 = await api.call('GET', `/v1/experiments?datasetId=${d2.id}&limit=1`);
    expect(p1.body.items).toHaveLength(1);
    expect(p1.body.nextOffset).toBe(1);
    const p2 = await api.call('GET', `/v1/experiments?datasetId=${d2.id}&limit=1&offset=1`);
    expect(p2.body.nextOffset).toBeNull();
    expect(p2.body.items[0].id).not.toBe(p1.body.items[0].id);
  });

  it('takes an empty JSON body as no body, and rejects malformed or poisoned JSON with 400', async () => {
    const e = await experiment((await dataset('empty-body')).id);
    const paused = await api.call('POST', `/v1/experiments/${e.id}/pause`, '', { 'content-type': 'application/json' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await api.call('POST', '/v1/datasets', '{"name": ', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await api.call('POST', '/v1/datasets', '{"name": "x", "__proto__": {"admin": true}}', { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('pauses, resumes and finishes idempotently; a finished experiment stays finished', async () => {
    const e = await experiment((await dataset('status')).id);
    expect((await api.call('POST', `/v1/experiments/${e.id}/pause`)).body.status).toBe('paused');
    expect((await api.call('POST', `/v1/experiments/${e.id}/pause`)).body.status).toBe('paused');
    expect((await api.call('POST', `/v1/experiments/${e.id}/resume`)).body.status).toBe('running');
    const fin = await api.call('POST', `/v1/experiments/${e.id}/finish`);
    expect(fin.body.status).toBe('finished');
    expect(fin.body.finishedAt).not.toBeNull();
    expect((await api.call('POST', `/v1/experiments/${e.id}/finish`)).status).toBe(200);
    const resume = await api.call('POST', `/v1/experiments/${e.id}/resume`);
    expect(resume.status).toBe(409);
    expect(resume.body.message).toMatch(/cannot resume a finished experiment/);
    const add = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 1, depth: 2 } });
    expect(add.status).toBe(409);
  });
});

describe('trials', () => {
  it('adds person-chosen trials, numbers them, and reports the best', async () => {
    const e = await experiment((await dataset('trials')).id);
    const t0 = await api.call('POST', `/v1/experiments/${e.id}/trials`, {
      config: { kernel: 'rbf', C: 1, gamma: 0.1, depth: 3 },
      value: 0.9,
      user: 'ada',
      reason: 'my usual default',
    });
    expect(t0.status).toBe(201);
    expect(t0.body).toMatchObject({
      number: 0,
      state: 'completed',
      value: 0.9,
      proposedBy: 'person',
      strategy: 'manual',
      user: 'ada',
      reason: 'my usual default',
    });
    expect(t0.body.config).toEqual({ kernel: 'rbf', C: 1, gamma: 0.1, depth: 3 });
    const t1 = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 10, depth: 5 } });
    expect(t1.body).toMatchObject({ number: 1, state: 'running', value: null });
    expect(t1.body.config.gamma).toBeNull();
    const t2 = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 0.5, depth: 1 }, failed: true, failReason: 'OOM' });
    expect(t2.body).toMatchObject({ number: 2, state: 'failed', failReason: 'OOM' });
    await api.call('POST', `/v1/trials/${t1.body.id}/complete`, { value: 0.95, metrics: { f1: 0.94 } });
    const detail = await api.call('GET', `/v1/experiments/${e.id}`);
    expect(detail.body.counts).toEqual({ completed: 2, failed: 1 });
    expect(detail.body.bestTrial).toMatchObject({ id: t1.body.id, value: 0.95, metrics: { f1: 0.94 } });
    expect(detail.body.trialCount).toBe(3);
    const list = await api.call('GET', `/v1/experiments/${e.id}/trials?state=completed`);
    expect(list.body.items.map((t: { number: number }) => t.number)).toEqual([0, 1]);
  });

  it('rejects a configuration outside the search space with the parameter and the reason', async () => {
    const e = await experiment((await dataset('space')).id);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ kernel: 'rbf', C: 5000, gamma: 0.1, depth: 2 }, 'body.config.C', /outside/],
      [{ kernel: 'poly', C: 1, depth: 2 }, 'body.config.kernel', /not one of/],
      [{ kernel: 'linear', C: 1, gamma: 0.1, depth: 2 }, 'body.config.gamma', /inactive/],
      [{ kernel: 'rbf', C: 1, depth: 2 }, 'body.config.gamma', /missing/],
      [{ kernel: 'rbf', C: 1, gamma: 0.1, depth: 2.5 }, 'body.config.depth', /integer/],
      [{ kernel: 'rbf', C: 1, gamma: 0.1, depth: 2, extra: 1 }, 'body.config.extra', /not a parameter/],
    ];
    for (const [config, field, reason] of cases) {
      const r = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config });
      expect(r.status, JSON.stringify(config)).toBe(400);
      expect(r.body.issues[0].field).toBe(field);
      expect(r.body.issues[0].reason).toMatch(reason);
    }
    expect((await api.call('GET', `/v1/experiments/${e.id}`)).body.trialCount).toBe(0);
  });

  it('completes and fails idempotently, with 409 for contradictions', async () => {
    const e = await experiment((await dataset('idem')).id);
    const t = (await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 1, depth: 1 } })).body;
    const first = await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 0.8 });
    const second = await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 0.8 });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 0.81 })).status).toBe(409);
    expect((await api.call('POST', `/v1/trials/${t.id}/fail`, {})).status).toBe(409);
    expect((await api.call('GET', `/v1/experiments/${e.id}`)).body.counts).toEqual({ completed: 1 });

    const f = (await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 2, depth: 1 } })).body;
    expect((await api.call('POST', `/v1/trials/${f.id}/fail`, { reason: 'diverged' })).body.state).toBe('failed');
    expect((await api.call('POST', `/v1/trials/${f.id}/fail`, { reason: 'diverged' })).status).toBe(200);
    const c = await api.call('POST', `/v1/trials/${f.id}/complete`, { value: 0.5 });
    expect(c.status).toBe(409);
    expect(c.body.message).toMatch(/failed/);
  });

  it('records a learning curve, idempotent per step', async () => {
    const e = await experiment((await dataset('curve')).id);
    const t = (await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 1, depth: 1 } })).body;
    await api.call('POST', `/v1/trials/${t.id}/report`, { step: 2, value: 0.6 });
    await api.call('POST', `/v1/trials/${t.id}/report`, { step: 1, value: 0.5 });
    expect((await api.call('POST', `/v1/trials/${t.id}/report`, { step: 1, value: 0.5 })).status).toBe(200);
    expect((await api.call('POST', `/v1/trials/${t.id}/report`, { step: 1, value: 0.7 })).status).toBe(409);
    const got = await api.call('GET', `/v1/trials/${t.id}`);
    expect(got.body.intermediate).toEqual([
      { step: 1, value: 0.5 },
      { step: 2, value: 0.6 },
    ]);
    await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 0.7 });
    expect((await api.call('POST', `/v1/trials/${t.id}/report`, { step: 3, value: 0.7 })).status).toBe(409);
    expect((await api.call('POST', `/v1/trials/${t.id}/report`, { step: -1, value: 0.7 })).body.issues[0].field).toBe('body.step');
  });

  it('shares one Config node between experiments that try the same configuration', async () => {
    const e1 = await experiment((await dataset('share-a')).id);
    const e2 = await experiment((await dataset('share-b')).id);
    const config = { kernel: 'rbf', C: 3.0000000000001, gamma: 0.01, depth: 4 };
    const a = (await api.call('POST', `/v1/experiments/${e1.id}/trials`, { config, value: 0.7 })).body;
    const b = (await api.call('POST', `/v1/experiments/${e2.id}/trials`, { config: { depth: 4, gamma: 0.01, C: 3, kernel: 'rbf' }, value: 0.8 })).body;
    expect(a.configHash).toBe(b.configHash);
    const graph = testGraph();
    try {
      const res = await graph.driver.executeQuery(
        `MATCH (t:Trial)-[:EVALUATES]->(c:Config) WHERE t.id IN $ids
         MATCH (t)<-[:HAS_TRIAL]-(:Experiment)-[:ON_DATASET]->(d:Dataset)
         RETURN count(DISTINCT c) AS configs, collect(d.name) AS datasets, c.\`param.C\` AS C`,
        { ids: [a.id, b.id] },
        { database: graph.database },
      );
      expect(res.records[0]?.get('configs')).toBe(1);
      expect([...(res.records[0]!.get('datasets') as string[])].sort()).toEqual(['share-a', 'share-b']);
      expect(res.records[0]?.get('C')).toBe(3);
    } finally {
      await graph.close();
    }
  });

  it('answers 404 for unknown trials and experiments, and hides other projects', async () => {
    const unknown = '6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11';
    expect((await api.call('POST', `/v1/trials/${unknown}/complete`, { value: 1 })).status).toBe(404);
    expect((await api.call('GET', `/v1/experiments/${unknown}/trials`)).status).toBe(404);
    const e = await experiment((await dataset('private')).id);
    const other = await api.call('GET', `/v1/experiments/${e.id}`, undefined, { authorization: `Bearer ${await api.otherKey()}` });
    expect(other.status).toBe(404);
  });

  it('writes nothing when a request fails', async () => {
    const e = await experiment((await dataset('atomic')).id);
    await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'rbf', C: 1, gamma: 100, depth: 1 } });
    await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { kernel: 'linear', C: 1, depth: 1 }, value: Number.NaN });
    const d = await api.call('GET', `/v1/experiments/${e.id}`);
    expect(d.body.trialCount).toBe(0);
    expect(d.body.counts).toEqual({});
  });
});
