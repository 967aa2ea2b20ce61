import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { int } from 'neo4j-driver';
import { HISTORY_SINCE, markStale, mergeHistory, readHistory, readHistorySince, type ExperimentHistory } from '../../graph/repositories/suggestions.ts';
import { createTrials } from '../../graph/repositories/trials.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { prepareConfig } from '../../src/services/configs.ts';
import { buildRequest } from '../../src/services/history.ts';
import { testGraph } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let graph: Graph;
beforeAll(async () => {
  api = await testApi();
  graph = testGraph();
});
afterAll(async () => {
  await api.close();
  await graph.close();
});

const request = (h: ExperimentHistory) =>
  JSON.stringify(
    buildRequest(h, new Map(), { seq: h.eventSeq, seed: 7, priors: [], settings: {}, warmStartMode: 'off', batchIndex: 0, batchSize: 2 }, 2),
  );

describe('the incremental history the suggestion service keeps', () => {
  it('equals a full read after every kind of change, including claims and reports that move no event', async () => {
    const d = await api.call('POST', '/v1/datasets', { name: 'history-cache', metaFeatures: { a: 1 } });
    const e = (
      await api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'cache' },
        searchSpace: [
          { name: 'x', type: 'float', low: 0, high: 1, log: false },
          { name: 'k', type: 'categorical', choices: ['a', 'b', 'c'] },
        ],
        objective: { metric: 'score', direction: 'maximize' },
        seed: 5,
        warmStart: { mode: 'off' },
      })
    ).body;
    let cached = await readHistory(graph, api.projectId, e.id);
    const check = async (what: string) => {
      const delta = await readHistorySince(graph, api.projectId, e.id, cached.eventSeq);
      const merged = mergeHistory(cached, delta);
      const full = await readHistory(graph, api.projectId, e.id);
      expect(merged, what).toEqual(full);
      expect(request(merged), what).toBe(request(full));
      cached = merged;
    };
    const ask = async (count: number) => {
      const r = await api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.trials as { id: string; config: Record<string, unknown> }[];
    };

    const first = await ask(3);
    await check('after a batch');
    await api.call('POST', `/v1/trials/${first[0]!.id}/complete`, { value: 0.5 });
    await api.call('POST', `/v1/trials/${first[1]!.id}/fail`, { reason: 'oom' });
    await check('after a result and a failure');
    const queued = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { x: 0.25, k: 'b' }, queue: true });
    await check('after queueing a configuration');
    const claimed = await ask(1);
    expect(claimed[0]!.id).toBe(queued.body.id);
    await check('after the queued configuration was claimed (no event)');
    const person = await api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { x: 0.75, k: 'c' }, value: 0.9 });
    await api.call('POST', `/v1/trials/${person.body.id}/invalidate`, { reason: 'leak' });
    await check('after a person result and its invalidation');
    expect(await markStale(graph, api.projectId, e.id, 0)).toBeGreaterThan(0);
    await check('after the stale sweep');
    const report = await api.call('POST', `/v1/trials/${first[2]!.id}/report`, { step: 1, value: 0.1 });
    expect(report.body.state).toBe('running');
    await check('after a stale trial reported again (no event)');
    await api.call('POST', `/v1/trials/${first[2]!.id}/complete`, { value: 0.7 });
    await ask(2);
    await check('after a late result and another batch');
  });
});

describe('an incremental history read', () => {
  it('reads the trials that changed, not every trial of the experiment', async () => {
    const d = await api.call('POST', '/v1/datasets', { name: 'history-cost', metaFeatures: { a: 1 } });
    const e = (
      await api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'cost' },
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1, log: false }],
        objective: { metric: 'score', direction: 'maximize' },
        warmStart: { mode: 'off' },
      })
    ).body;
    const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }] as SearchSpace;
    const old = Array.from({ length: 300 }, (_, i) => {
      const { config, hash } = prepareConfig(space, { x: i / 300 });
      return { config, configHash: hash, state: 'completed' as const, value: i, proposedBy: 'person' as const, strategy: 'manual' };
    });
    await createTrials(graph, api.projectId, e.id, old);
    const { eventSeq } = await readHistory(graph, api.projectId, e.id);
    const [fresh] = (await api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count: 1 })).body.trials as { id: string }[];
    const delta = await readHistorySince(graph, api.projectId, e.id, eventSeq + 1);
    expect(delta.trials.map((t) => t.id)).toEqual([fresh!.id]);
    // Database hits of the read: a scan of the 300 old trials would cost far more than this bound.
    const res = await graph.driver.executeQuery(
      `PROFILE ${HISTORY_SINCE}`,
      { id: e.id, projectId: api.projectId, since: int(eventSeq + 1), priorIds: [], priorProjects: [api.projectId] },
      { database: graph.database },
    );
    const hits = (p: { dbHits: number; children: unknown[] }): number => p.dbHits + (p.children as (typeof p)[]).reduce((a, c) => a + hits(c), 0);
    expect(hits(res.summary.profile as unknown as { dbHits: number; children: unknown[] })).toBeLessThan(150);
  });
});
