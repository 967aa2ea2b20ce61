import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';

let a: TestApi;
let b: TestApi;
beforeAll(async () => {
  a = await testApi();
  b = await testApi();
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe('two projects importing the same experiment id at once', () => {
  it('never answers 500: one import wins, the other gets a new id or a 409', async () => {
    const id = randomUUID();
    const line = JSON.stringify({
      format: 'precedent.experiment/1',
      dataset: { name: 'race', metaFeatures: { a: 1 } },
      experiment: {
        id,
        name: 'race',
        model: { name: 'm' },
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1, log: false }],
        objective: { metric: 'l', direction: 'minimize' },
        seed: 1,
      },
      trials: [{ number: 0, state: 'completed', config: { x: 0.5 }, value: 1 }],
    });
    const results = await Promise.all([a.call('POST', '/v1/import', line, NDJSON), b.call('POST', '/v1/import', line, NDJSON)]);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(results.some((r) => r.status === 201)).toBe(true);
  });
});
