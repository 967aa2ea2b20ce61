// `ifExists`: a script that runs again resumes its experiment (Optuna's load_if_exists), refuses to
// resume a different search under the same name, and concurrent starts create one experiment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let datasetId: string;
let otherDatasetId: string;
beforeAll(async () => {
  api = await testApi();
  datasetId = (await api.call('POST', '/v1/datasets', { name: 'reuse', metaFeatures: { a: 1 } })).body.id;
  otherDatasetId = (await api.call('POST', '/v1/datasets', { name: 'reuse-other', metaFeatures: { a: 2 } })).body.id;
});
afterAll(() => api.close());

const body = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  datasetId,
  model: { name: 'xgboost' },
  searchSpace: [
    { name: 'lr', type: 'float', low: 0.001, high: 0.3, log: true },
    { name: 'depth', type: 'int', low: 2, high: 12 },
  ],
  objective: { metric: 'auc', direction: 'maximize' },
  budget: { maxTrials: 30 },
  ifExists: 'reuse',
  ...extra,
});

describe('ifExists', () => {
  it('reuse: creates once (201), then returns the same experiment (200) with its stored settings', async () => {
    const first = await api.call('POST', '/v1/experiments', body('churn-a'));
    expect(first.status, first.text).toBe(201);
    await api.call('POST', `/v1/experiments/${first.body.id}/trials`, { config: { lr: 0.01, depth: 3 }, value: 0.8 });
    // The second run of the script asks for a larger budget: the stored one stays (PATCH changes it).
    const again = await api.call('POST', '/v1/experiments', body('churn-a', { budget: { maxTrials: 50 } }));
    expect(again.status, again.text).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.trialCount).toBe(1);
    expect(again.body.budget).toEqual({ maxTrials: 30 });
    // `log: false` spelled out is the default the first request left out: the same search.
    const explicitLog = body('churn-a');
    (explicitLog.searchSpace[1] as Record<string, unknown>).log = false;
    expect((await api.call('POST', '/v1/experiments', explicitLog)).body.id).toBe(first.body.id);
    const listed = await api.call('GET', '/v1/experiments?name=churn-a');
    expect(listed.body.total).toBe(1);
  });

  it('reuse: 409 naming the first difference of dataset, model, objective or search space', async () => {
    expect((await api.call('POST', '/v1/experiments', body('churn-b'))).status).toBe(201);
    const cases: [Record<string, unknown>, string][] = [
      [{ datasetId: otherDatasetId }, 'datasetId'],
      [{ model: { name: 'lightgbm' } }, 'model.name'],
      [{ objective: { metric: 'auc', direction: 'minimize' } }, 'objective.direction'],
      [
        {
          searchSpace: [
            { name: 'lr', type: 'float', low: 0.001, high: 0.1, log: true },
            { name: 'depth', type: 'int', low: 2, high: 12 },
          ],
        },
        'searchSpace[0] "lr".high',
      ],
      [{ searchSpace: [{ name: 'lr', type: 'float', low: 0.001, high: 0.3, log: true }] }, 'searchSpace[1]'],
    ];
    for (const [change, field] of cases) {
      const res = await api.call('POST', '/v1/experiments', body('churn-b', change));
      expect(res.status, res.text).toBe(409);
      expect(res.body.details.field).toBe(field);
      expect(res.body.message).toContain(field);
    }
    const high = await api.call(
      'POST',
      '/v1/experiments',
      body('churn-b', {
        searchSpace: [
          { name: 'lr', type: 'float', low: 0.001, high: 0.1, log: true },
          { name: 'depth', type: 'int', low: 2, high: 12 },
        ],
      }),
    );
    expect(high.body.details).toMatchObject({ existing: '0.3', requested: '0.1' });
  });

  it('error: 409 when the name exists; create (the default) makes another', async () => {
    const first = await api.call('POST', '/v1/experiments', body('churn-c', { ifExists: 'error' }));
    expect(first.status).toBe(201);
    const refused = await api.call('POST', '/v1/experiments', body('churn-c', { ifExists: 'error' }));
    expect(refused.status).toBe(409);
    expect(refused.body.details.experimentId).toBe(first.body.id);
    const second = await api.call('POST', '/v1/experiments', body('churn-c', { ifExists: 'create' }));
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    // With two of the name, reuse resumes the oldest.
    expect((await api.call('POST', '/v1/experiments', body('churn-c'))).body.id).toBe(first.body.id);
  });

  it('needs a name, and names the field when it is missing', async () => {
    const { name: _name, ...unnamed } = body('x');
    const res = await api.call('POST', '/v1/experiments', unnamed);
    expect(res.status).toBe(400);
    expect(res.body.issues[0].field).toBe('body.name');
  });

  it('reuse from eight workers at once creates one experiment', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => api.call('POST', '/v1/experiments', body('churn-parallel'))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await api.call('GET', '/v1/experiments?name=churn-parallel')).body.total).toBe(1);
  });
});
