import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const space = [
  { name: 'booster', type: 'categorical', choices: ['gbtree', 'linear'] },
  { name: 'eta', type: 'float', low: 0.001, high: 1, log: true },
  { name: 'depth', type: 'int', low: 1, high: 12, log: false, condition: { parent: 'booster', values: ['gbtree'] } },
];

function line(overrides: Record<string, unknown> = {}, trials?: unknown[]) {
  return {
    format: 'precedent.experiment/1',
    dataset: { name: 'credit-g', version: '2', taskType: 'classification', instances: 1000, metaFeatures: { number_of_instances: 1000, class_entropy: 0.88 } },
    experiment: {
      name: 'xgb on credit-g (2023)',
      model: { name: 'xgboost', library: 'xgboost', family: 'boosting' },
      searchSpace: space,
      objective: { metric: 'auc', direction: 'maximize' },
      seed: 42,
      status: 'finished',
      ...overrides,
    },
    trials: trials ?? [
      { number: 0, state: 'completed', config: { booster: 'gbtree', eta: 0.1, depth: 6 }, value: 0.78, intermediate: [{ step: 1, value: 0.7 }] },
      { number: 1, state: 'failed', config: { booster: 'linear', eta: 0.5 }, failReason: 'diverged' },
      { number: 3, state: 'completed', config: { booster: 'gbtree', eta: 0.05, depth: 3 }, value: 0.81, metrics: { logloss: 0.45 } },
    ],
  };
}

describe('import and export', () => {
  it('imports JSON Lines and exports the same experiment back exactly', async () => {
    const body = `${JSON.stringify(line())}\n${JSON.stringify(line({ name: 'second' }, []))}\n`;
    const r = await api.call('POST', '/v1/import', body, NDJSON);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.trials).toBe(3);
    expect(r.body.experiments.map((e: { status: string }) => e.status)).toEqual(['created', 'created']);
    const [first, second] = r.body.experiments;
    expect(first.datasetId).toBe(second.datasetId);

    const detail = (await api.call('GET', `/v1/experiments/${first.experimentId}`)).body;
    expect(detail).toMatchObject({ status: 'finished', trialCount: 4, counts: { completed: 2, failed: 1 } });
    expect(detail.bestTrial).toMatchObject({ number: 3, value: 0.81, proposedBy: 'import' });

    const exported = await api.call('GET', `/v1/experiments/${first.experimentId}/export`);
    expect(exported.headers['content-type']).toMatch(/application\/x-ndjson/);
    const out = JSON.parse(exported.text);
    expect(out.experiment.id).toBe(first.experimentId);
    expect(out.dataset).toMatchObject(line().dataset);
    expect(out.trials.map((t: { number: number; state: string; value: number | null }) => [t.number, t.state, t.value])).toEqual([
      [0, 'completed', 0.78],
      [1, 'failed', null],
      [3, 'completed', 0.81],
    ]);
    expect(out.trials[1].config).toEqual({ booster: 'linear', eta: 0.5, depth: null });
    expect(out.trials[0].intermediate).toEqual([{ step: 1, value: 0.7 }]);

    // The export imports into another project unchanged, and exports identically from there.
    const other = await testApi();
    try {
      const again = await other.call('POST', '/v1/import', exported.text, NDJSON);
      expect(again.status).toBe(201);
      const id = again.body.experiments[0].experimentId;
      const reexported = await other.call('GET', `/v1/experiments/${id}/export`);
      const a = JSON.parse(reexported.text);
      const strip = (x: typeof a) => ({ ...x, experiment: { ...x.experiment, id: undefined } });
      expect(strip(a)).toEqual(strip(out));
    } finally {
      await other.close();
    }
  });

  it('skips experiments that already exist, so an import can be re-run', async () => {
    const first = await api.call('POST', '/v1/import', JSON.stringify(line({ name: 'rerun' })), NDJSON);
    const id = first.body.experiments[0].experimentId;
    const exported = (await api.call('GET', `/v1/experiments/${id}/export`)).text;
    const again = await api.call('POST', '/v1/import', exported, NDJSON);
    expect(again.body.experiments[0]).toMatchObject({ experimentId: id, status: 'exists' });
    expect(again.body.trials).toBe(0);
    expect((await api.call('GET', `/v1/experiments/${id}/trials`)).body.total).toBe(3);
  });

  it('validates every line before writing anything', async () => {
    const before = (await api.call('GET', '/v1/experiments?limit=500')).body.total;
    const good = JSON.stringify(line({ name: 'never written' }));
    const badConfig = JSON.stringify(line({ name: 'bad' }, [{ number: 0, state: 'completed', config: { booster: 'gbtree', eta: 5, depth: 2 }, value: 1 }]));
    const r = await api.call('POST', '/v1/import', `${good}\n${badConfig}\n`, NDJSON);
    expect(r.status).toBe(400);
    expect(r.body.issues[0]).toEqual({ field: 'line 2: trials.0.config.eta', reason: '5 outside [0.001, 1]' });
    const noValue = await api.call(
      'POST',
      '/v1/import',
      JSON.stringify(line({}, [{ number: 0, state: 'completed', config: { booster: 'linear', eta: 0.1 } }])),
      NDJSON,
    );
    expect(noValue.body.issues[0].field).toBe('line 1: trials.0.value');
    const dup = await api.call(
      'POST',
      '/v1/import',
      JSON.stringify(
        line({}, [
          { number: 0, state: 'failed', config: { booster: 'linear', eta: 0.1 } },
          { number: 0, state: 'failed', config: { booster: 'linear', eta: 0.2 } },
        ]),
      ),
      NDJSON,
    );
    expect(dup.body.issues[0].reason).toMatch(/duplicate trial number/);
    const notJson = await api.call('POST', '/v1/import', `${good}\n{oops\n`, NDJSON);
    expect(notJson.body.issues[0].field).toBe('line 2');
    const wrongFormat = await api.call('POST', '/v1/import', JSON.stringify({ ...line(), format: 'optuna' }), NDJSON);
    expect(wrongFormat.body.issues[0].field).toBe('line 1: format');
    expect((await api.call('POST', '/v1/import', '\n\n', NDJSON)).status).toBe(400);
    expect((await api.call('GET', '/v1/experiments?limit=500')).body.total).toBe(before);
  });

  it('refuses a dataset whose fingerprint conflicts before writing any line', async () => {
    const before = (await api.call('GET', '/v1/experiments?limit=500')).body.total;
    await api.call('POST', '/v1/datasets', { name: 'fp-import', version: '1', fingerprint: 'sha256:old' });
    const ok = JSON.stringify({ ...line({ name: 'first line' }), dataset: { name: 'fp-import-other', metaFeatures: {} } });
    const clash = JSON.stringify({
      ...line({ name: 'second line' }),
      dataset: { name: 'fp-import', version: '1', fingerprint: 'sha256:new', metaFeatures: {} },
    });
    const r = await api.call('POST', '/v1/import', `${ok}\n${clash}\n`, NDJSON);
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^line 2: dataset "fp-import"/);
    const inFile = JSON.stringify({ ...line({ name: 'third' }), dataset: { name: 'twice', fingerprint: 'sha256:b', metaFeatures: {} } });
    const inFile2 = JSON.stringify({ ...line({ name: 'fourth' }), dataset: { name: 'twice', fingerprint: 'sha256:c', metaFeatures: {} } });
    expect((await api.call('POST', '/v1/import', `${inFile}\n${inFile2}`, NDJSON)).body.message).toMatch(/^line 2: .*line 1/);
    expect((await api.call('GET', '/v1/experiments?limit=500')).body.total).toBe(before);
  });

  it('carries the record of settings changes (who trusted which history when) to the imported copy', async () => {
    const created = await api.call('POST', '/v1/import', JSON.stringify(line({ name: 'changed twice', status: 'running' })), NDJSON);
    const id = created.body.experiments[0].experimentId;
    expect((await api.call('PATCH', `/v1/experiments/${id}`, { warmStart: { mode: 'off' }, user: 'ada' })).status).toBe(200);
    expect((await api.call('PATCH', `/v1/experiments/${id}`, { budget: { maxTrials: 50 }, optimizer: { nInitial: 4 }, user: 'grace' })).status).toBe(200);
    const changes = (await api.call('GET', `/v1/experiments/${id}/changes`)).body.items;
    expect(changes.map((c: { fields: string[]; by: string }) => [c.fields, c.by])).toEqual([
      [['warmStart'], 'ada'],
      [['optimizer', 'budget'], 'grace'],
    ]);

    const exported = JSON.parse((await api.call('GET', `/v1/experiments/${id}/export`)).text);
    expect(exported.settingsChanges).toEqual(changes);
    const other = await testApi();
    try {
      const copy = (await other.call('POST', '/v1/import', JSON.stringify(exported), NDJSON)).body.experiments[0].experimentId;
      expect((await other.call('GET', `/v1/experiments/${copy}/changes`)).body.items).toEqual(changes);
      expect((await other.call('GET', `/v1/experiments/${copy}`)).body).toMatchObject({ budget: { maxTrials: 50 }, warmStart: { mode: 'off' } });
    } finally {
      await other.close();
    }

    const before = (await api.call('GET', '/v1/experiments?limit=500')).body.total;
    const bad = { ...line({ name: 'bad change' }), settingsChanges: [{ ...changes[0], fields: ['colour'] }] };
    const r = await api.call('POST', '/v1/import', JSON.stringify(bad), NDJSON);
    expect(r.status).toBe(400);
    expect(r.body.issues[0].field).toBe('line 1: settingsChanges.0.fields.0');
    expect((await api.call('GET', '/v1/experiments?limit=500')).body.total).toBe(before);
  });

  it('answers 404 when exporting an unknown experiment', async () => {
    expect((await api.call('GET', '/v1/experiments/6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11/export')).status).toBe(404);
  });
});
