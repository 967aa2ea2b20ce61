import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';

const space = [
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
  { name: 'gamma', type: 'float', low: 0.0001, high: 10, log: true },
];
const objective = { metric: 'acc', direction: 'maximize' };

let owner: TestApi;
let otherKey: string;
const asOther = () => ({ authorization: `Bearer ${otherKey}` });

beforeAll(async () => {
  owner = await testApi();
  otherKey = await owner.otherKey();
});
afterAll(() => owner.close());

async function experimentWithTrials(api: TestApi, name: string, meta: Record<string, number>, headers: Record<string, string> = {}): Promise<string> {
  const d = await api.call('POST', '/v1/datasets', { name, metaFeatures: meta }, headers);
  const e = await api.call(
    'POST',
    '/v1/experiments',
    { datasetId: d.body.id, name, model: { name: 'svm-shared-test' }, searchSpace: space, objective, warmStart: { mode: 'off' } },
    headers,
  );
  for (const [C, gamma, value] of [
    [1, 0.1, 0.8],
    [10, 0.01, 0.9],
    [100, 1, 0.6],
  ] as const) {
    await api.call('POST', `/v1/experiments/${e.body.id}/trials`, { config: { C, gamma }, value }, headers);
  }
  return e.body.id;
}

describe('sharing an experiment with every project', () => {
  it('puts a snapshot copy in the shared project that others find and learn from; the rest stays private', async () => {
    const sharedOne = await experimentWithTrials(owner, 'shared-ds', { rows: 1000, cols: 10 });
    const privateOne = await experimentWithTrials(owner, 'private-ds', { rows: 1001, cols: 10 });

    // Before sharing, the other project sees nothing of the owner's.
    const before = await owner.call('POST', '/v1/similar-experiments', { metaFeatures: { rows: 1000, cols: 10 }, model: 'svm-shared-test' }, asOther());
    expect(before.body.items ?? before.body).toEqual([]);

    const share = await owner.call('POST', `/v1/experiments/${sharedOne}/share`);
    expect(share.status, share.text).toBe(201);
    expect(share.body.project).toBe('shared');
    const copyId = share.body.experimentId;
    expect(copyId).not.toBe(sharedOne);
    const again = await owner.call('POST', `/v1/experiments/${sharedOne}/share`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ experimentId: copyId, status: 'exists' });

    // Only the owner can share their experiment.
    expect((await owner.call('POST', `/v1/experiments/${privateOne}/share`, undefined, asOther())).status).toBe(404);

    const after = await owner.call('POST', '/v1/similar-experiments', { metaFeatures: { rows: 1000, cols: 10 }, model: 'svm-shared-test' }, asOther());
    expect(after.status, after.text).toBe(200);
    const found = JSON.stringify(after.body);
    expect(found).toContain(copyId);
    expect(found).not.toContain(privateOne);
    expect(found).not.toContain(sharedOne);
    expect(found).not.toContain('private-ds');

    // The copy can be named as an explicit warm-start source; another project's private experiment cannot.
    const d = await owner.call('POST', '/v1/datasets', { name: 'mine', metaFeatures: { rows: 999, cols: 10 } }, asOther());
    const learn = await owner.call(
      'POST',
      '/v1/experiments',
      { datasetId: d.body.id, model: { name: 'svm-shared-test' }, searchSpace: space, objective, warmStart: { mode: 'explicit', experiments: [copyId] } },
      asOther(),
    );
    expect(learn.status, learn.text).toBe(201);
    // …and the suggestions learn from it, with the copy and its trials in the provenance.
    const asked = await owner.call('POST', `/v1/experiments/${learn.body.id}/suggestions`, { count: 1 }, asOther());
    expect(asked.status, asked.text).toBe(201);
    const trial = await owner.call('GET', `/v1/trials/${asked.body.trials[0].id}`, undefined, asOther());
    expect(trial.body.provenance.priors.map((p: { experimentId: string }) => p.experimentId)).toEqual([copyId]);
    expect(trial.body.provenance.sourceTrials.length).toBeGreaterThan(0);
    const refused = await owner.call(
      'POST',
      '/v1/experiments',
      { datasetId: d.body.id, model: { name: 'svm-shared-test' }, searchSpace: space, objective, warmStart: { mode: 'explicit', experiments: [privateOne] } },
      asOther(),
    );
    expect(refused.status).toBe(400);
    // The owner's later trials are not part of the snapshot, and the copy itself is not readable as a resource.
    expect((await owner.call('GET', `/v1/experiments/${copyId}`, undefined, asOther())).status).toBe(404);
  });
});
