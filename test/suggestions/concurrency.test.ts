import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGraph } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const WORKERS = 32;
const ROUNDS = 2;

describe('32 workers asking and telling at once on one experiment', () => {
  it('numbers trials uniquely without gaps, loses no result, and never hands out a pending configuration twice', async () => {
    // 60 configurations for 64 trials: with 32 pending at a time, duplicates are a real risk.
    const d = await api.call('POST', '/v1/datasets', { name: 'concurrency', metaFeatures: { a: 1 } });
    const e = (
      await api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'grid' },
        searchSpace: [
          { name: 'a', type: 'categorical', choices: ['p', 'q', 'r', 's', 't', 'u'] },
          { name: 'b', type: 'int', low: 1, high: 10, log: false },
        ],
        objective: { metric: 'score', direction: 'maximize' },
        seed: 3,
        warmStart: { mode: 'off' },
      })
    ).body;
    const told = new Map<string, number>();
    const worker = async (w: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const r = await api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count: 1 });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const t = r.body.trials[0];
        const value = w * 100 + round + 0.5;
        const done = await api.call('POST', `/v1/trials/${t.id}/complete`, { value });
        expect(done.status, JSON.stringify(done.body)).toBe(200);
        told.set(t.id, value);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    const graph = testGraph();
    try {
      const res = await graph.driver.executeQuery(
        `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial)
         RETURN t.id AS id, t.number AS number, t.value AS value, t.state AS state, t.configHash AS hash,
                t.createdSeq AS created, t.finishedSeq AS finished ORDER BY t.number`,
        { id: e.id },
        { database: graph.database },
      );
      const trials = res.records.map(
        (r) => r.toObject() as { id: string; number: number; value: number; state: string; hash: string; created: number; finished: number },
      );
      expect(trials.map((t) => t.number)).toEqual(Array.from({ length: WORKERS * ROUNDS }, (_, i) => i));
      expect(trials.every((t) => t.state === 'completed')).toBe(true);
      expect(new Map(trials.map((t) => [t.id, t.value]))).toEqual(told);
      // Two trials with the same configuration must not have been pending at the same time.
      for (const a of trials) {
        for (const b of trials) {
          if (a.number < b.number && a.hash === b.hash) expect(b.created, `trial ${b.number} repeats pending ${a.number}`).toBeGreaterThanOrEqual(a.finished);
        }
      }
    } finally {
      await graph.close();
    }
    const detail = (await api.call('GET', `/v1/experiments/${e.id}`)).body;
    expect(detail.counts).toEqual({ completed: WORKERS * ROUNDS });
    expect(detail.bestTrial.value).toBe((WORKERS - 1) * 100 + 1.5);

    // However the requests were batched, every suggestion is reproducible from the recorded history.
    const replay = (await api.call('GET', `/v1/experiments/${e.id}/replay`)).body;
    expect(replay.mismatches).toEqual([]);
    expect(replay.checked).toBe(WORKERS * ROUNDS);
  }, 180_000);
});
