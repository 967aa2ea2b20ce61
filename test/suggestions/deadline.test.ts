// Work whose client is gone, or whose deadline passed, is not recorded: no running trial is created
// that nobody will ever run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { testGraph } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';
import type { Graph } from '../../graph/driver.ts';

let api: TestApi;
let late: TestApi;
let graph: Graph;
beforeAll(async () => {
  api = await testApi();
  // Every ask is past its deadline before it is served.
  late = await testApi({ suggestions: { requestDeadlineMs: -1 } });
  graph = testGraph();
});
afterAll(async () => {
  await api.close();
  await late.close();
  await graph.close();
});

async function experiment(via: TestApi, name: string): Promise<string> {
  const d = await via.call('POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await via.call('POST', '/v1/experiments', {
    name,
    datasetId: d.body.id,
    model: { name },
    searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    objective: { metric: 'loss', direction: 'minimize' },
    warmStart: { mode: 'off' },
  });
  expect(e.status).toBe(201);
  return e.body.id;
}

describe('asks nobody waits for', () => {
  it('answers 503 with Retry-After past the deadline, and records nothing', async () => {
    const id = await experiment(late, 'deadline');
    const r = await late.call('POST', `/v1/experiments/${id}/suggestions`, { count: 2 });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.body.message).toContain('deadline');
    expect((await late.call('GET', `/v1/experiments/${id}`)).body.trialCount).toBe(0);
  });

  it('records nothing for a client that left, and what the others asked for', async () => {
    const id = await experiment(api, 'gone');
    const service = new SuggestionService(graph);
    const [left, stayed] = await Promise.allSettled([
      service.suggest(api.projectId, id, 3, { gone: () => true }),
      service.suggest(api.projectId, id, 2, { gone: () => false }),
    ]);
    expect(left.status).toBe('rejected');
    expect(stayed.status === 'fulfilled' && stayed.value.trials.length).toBe(2);
    expect((await api.call('GET', `/v1/experiments/${id}`)).body.trialCount).toBe(2);
  });
});
