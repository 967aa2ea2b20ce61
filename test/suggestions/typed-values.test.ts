// Typed choices, steps and the default log scale, end to end: what a user declares comes back with its
// type through ask/tell, the graph's Config nodes, export, import into another project, and replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let other: TestApi;
beforeAll(async () => {
  api = await testApi();
  other = await testApi();
});
afterAll(async () => {
  await api.close();
  await other.close();
});

const space = [
  { name: 'batch_size', type: 'categorical', choices: [16, 32, 64] },
  { name: 'tag', type: 'categorical', choices: ['16', 16] },
  { name: 'shuffle', type: 'categorical', choices: [true, false] },
  { name: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.1 },
  { name: 'units', type: 'int', low: 32, high: 256, step: 32 },
  { name: 'lr', type: 'float', low: 0.001, high: 0.1 },
  { name: 'momentum', type: 'float', low: 0.5, high: 0.99, condition: { parent: 'shuffle', values: [true] } },
];

function checkTyped(config: Record<string, unknown>) {
  expect([16, 32, 64]).toContain(config.batch_size);
  expect(['16', 16]).toContain(config.tag);
  expect(typeof config.shuffle).toBe('boolean');
  expect(Math.abs((config.dropout as number) * 10 - Math.round((config.dropout as number) * 10))).toBeLessThan(1e-9);
  expect(((config.units as number) - 32) % 32).toBe(0);
  expect(config.momentum === null).toBe(config.shuffle === false);
}

describe('typed search spaces through the service', () => {
  it('keeps types through ask/tell, export, import and replay', async () => {
    const d = await api.call('POST', '/v1/datasets', { name: 'typed', metaFeatures: { a: 1 } });
    const e = await api.call('POST', '/v1/experiments', {
      name: 'typed',
      datasetId: d.body.id,
      model: { name: 'mlp-typed' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'minimize' },
      seed: 11,
      warmStart: { mode: 'off' },
      optimizer: { nInitial: 5 },
    });
    expect(e.status, e.text).toBe(201);
    expect(e.body.searchSpace[5]).toEqual({ name: 'lr', type: 'float', low: 0.001, high: 0.1, log: false });
    const id = e.body.id;

    // A person's configuration with "16" (a string) and one with 16 (a number) are two configurations.
    const asString = await api.call('POST', `/v1/experiments/${id}/trials`, {
      config: { batch_size: 32, tag: '16', shuffle: false, dropout: 0.2, units: 64, lr: 0.01, momentum: null },
      value: 0.5,
    });
    const asNumber = await api.call('POST', `/v1/experiments/${id}/trials`, {
      config: { batch_size: 32, tag: 16, shuffle: false, dropout: 0.2, units: 64, lr: 0.01, momentum: null },
      value: 0.6,
    });
    expect(asString.status, asString.text).toBe(201);
    expect(asNumber.status, asNumber.text).toBe(201);
    expect(asString.body.config.tag).toBe('16');
    expect(asNumber.body.config.tag).toBe(16);
    expect(asString.body.configHash).not.toBe(asNumber.body.configHash);
    const wrongType = await api.call('POST', `/v1/experiments/${id}/trials`, {
      config: { batch_size: '32', tag: '16', shuffle: false, dropout: 0.2, units: 64, lr: 0.01, momentum: null },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.issues[0]).toEqual({ field: 'body.config.batch_size', reason: expect.stringContaining('did you mean 32?') });

    const strategies = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const s = await api.call('POST', `/v1/experiments/${id}/suggestions`, { count: 1 });
      expect(s.status, s.text).toBe(201);
      const [trial] = s.body.trials;
      checkTyped(trial.config);
      strategies.add(trial.strategy);
      const loss = (trial.config.batch_size === 32 ? 0 : 1) + trial.config.dropout + (trial.config.shuffle ? 0 : 0.5);
      expect((await api.call('POST', `/v1/trials/${trial.id}/complete`, { value: loss })).status).toBe(200);
    }
    expect(strategies.has('gp-bo')).toBe(true);

    const trials = (await api.call('GET', `/v1/experiments/${id}/trials?limit=50`)).body.items;
    for (const t of trials) checkTyped(t.config);

    // Export → import elsewhere → export again: the same typed lines.
    const exported = (await api.call('GET', `/v1/experiments/${id}/export`)).text;
    const imported = await other.call('POST', '/v1/import', exported, NDJSON);
    expect(imported.status, imported.text).toBe(201);
    const copyId = imported.body.experiments[0].experimentId;
    const copy = JSON.parse((await other.call('GET', `/v1/experiments/${copyId}/export`)).text);
    const original = JSON.parse(exported);
    expect(copy.trials.map((t: { config: unknown }) => t.config)).toEqual(original.trials.map((t: { config: unknown }) => t.config));
    expect(copy.experiment.searchSpace).toEqual(original.experiment.searchSpace);
    expect(original.trials.find((t: { number: number }) => t.number === 0).config.tag).toBe('16');
    expect(original.trials.find((t: { number: number }) => t.number === 1).config.tag).toBe(16);

    // Replay recomputes every suggestion from the recorded history, typed values included.
    const replay = await api.call('GET', `/v1/experiments/${id}/replay`);
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body.checked).toBe(9);
    expect(replay.body.matched).toBe(9);
  });
});
