// Heavy work never holds the event loop: a model fit on a wide space runs in the optimizer's worker
// thread, and a wide CSV is profiled in a worker thread of its own, while /health keeps answering.
// Asserted relative to the request's own duration (on the event loop, /health would wait as long as
// the request); bench/heavy-neighbour.ts reports the figures with and without the threads.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { replayExperiment } from '../../src/services/replay.ts';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';
import { withHealthPolled } from '../support/health.ts';

let api: TestApi;
let graph: Graph;
let base: string;
beforeAll(async () => {
  api = await testApi({ suggestions: { optimizerThreads: 1 } });
  graph = testGraph();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.close();
  await graph.close();
});

const loss = (config: Record<string, number>) => Object.values(config).reduce((s, v) => s + (v - 0.3) ** 2, 0);

describe('off the event loop', () => {
  it('a model fit on a 40-parameter space runs in the optimizer thread: /health answers meanwhile, replay is exact', async () => {
    const dataset = await api.call('POST', '/v1/datasets', { name: 'wide-space', metaFeatures: { a: 1 } });
    const e = await api.call('POST', '/v1/experiments', {
      name: 'heavy',
      datasetId: dataset.body.id,
      model: { name: 'm' },
      objective: { metric: 'loss', direction: 'minimize' },
      searchSpace: Array.from({ length: 40 }, (_, i) => ({ name: `x${i}`, type: 'float', low: 0, high: 1 })),
      warmStart: { mode: 'off' },
      seed: 3,
    });
    expect(e.status, e.text).toBe(201);
    const ask = (count: number) => api.call('POST', `/v1/experiments/${e.body.id}/suggestions`, { count });
    const design = await ask(10);
    expect(design.status, design.text).toBe(201);
    for (const t of design.body.trials) expect((await api.call('POST', `/v1/trials/${t.id}/complete`, { value: loss(t.config) })).status).toBe(200);

    const t0 = performance.now();
    const { result, maxGapMs } = await withHealthPolled(base, () => ask(10));
    const askMs = performance.now() - t0;
    expect(result.status, result.text).toBe(201);
    expect(result.body.trials.map((t: { strategy: string }) => t.strategy)).toEqual(Array(10).fill('gp-bo'));
    console.log(`off the event loop: a 10-trial GP-BO ask on 40 parameters took ${askMs.toFixed(0)} ms; /health waited at most ${maxGapMs.toFixed(0)} ms`);
    expect(maxGapMs).toBeLessThan(askMs / 3);

    // Computed in the thread, replayed here on the test's own: the same suggestions.
    const replay = await replayExperiment(graph, api.projectId, e.body.id);
    expect(replay.checked).toBe(20);
    expect(replay.mismatches).toEqual([]);
    expect(replay.matched).toBe(20);
  }, 180_000);

  it('transfer-BO in the thread with its priors kept there: a prior that gains a trial is sent again, replay is exact', async () => {
    const space = [0, 1, 2].map((i) => ({ name: `x${i}`, type: 'float', low: 0, high: 1 }));
    const shifted = (shift: number) => (c: Record<string, number>) => Object.values(c).reduce((s, v) => s + (v - 0.3 - shift) ** 2, 0);
    const lines = [0, 0.05, 0.1].map((shift, k) =>
      JSON.stringify({
        format: 'precedent.experiment/1',
        dataset: { name: `prior-${k}`, taskType: 'regression', metaFeatures: { a: 1 + k / 10 } },
        experiment: {
          name: `prior-${k}`,
          model: { name: 'resident' },
          searchSpace: space,
          objective: { metric: 'loss', direction: 'minimize' },
          seed: 1,
          status: 'running',
        },
        trials: Array.from({ length: 30 }, (_, n) => {
          const config = { x0: (n * 0.618 + k / 7) % 1, x1: (n * 0.382 + 0.2) % 1, x2: (n * 0.7548 + 0.4) % 1 };
          return { number: n, state: 'completed', config, value: shifted(shift)(config) };
        }),
      }),
    );
    const imported = await api.call('POST', '/v1/import', lines.join('\n'), NDJSON);
    expect(imported.status, imported.text).toBe(201);
    const priorIds: string[] = imported.body.experiments.map((x: { experimentId: string }) => x.experimentId);
    const dataset = await api.call('POST', '/v1/datasets', { name: 'resident-target', metaFeatures: { a: 1.05 } });
    const e = await api.call('POST', '/v1/experiments', {
      name: 'resident',
      datasetId: dataset.body.id,
      model: { name: 'resident' },
      objective: { metric: 'loss', direction: 'minimize' },
      searchSpace: space,
      warmStart: { mode: 'auto', maxPriors: 3 },
      optimizer: { nInitial: 3 },
      seed: 4,
    });
    expect(e.status, e.text).toBe(201);
    const strategies: string[] = [];
    for (let round = 0; round < 6; round++) {
      if (round === 4) {
        // A prior's version changes between two asks: the thread must learn from the new one.
        const added = await api.call('POST', `/v1/experiments/${priorIds[1]}/trials`, { config: { x0: 0.35, x1: 0.35, x2: 0.35 }, value: 0 });
        expect(added.status, added.text).toBe(201);
      }
      const asked = await api.call('POST', `/v1/experiments/${e.body.id}/suggestions`, { count: 2 });
      expect(asked.status, asked.text).toBe(201);
      for (const t of asked.body.trials) {
        strategies.push(t.strategy);
        expect((await api.call('POST', `/v1/trials/${t.id}/complete`, { value: loss(t.config) })).status).toBe(200);
      }
    }
    expect(strategies.slice(4)).toEqual(Array(8).fill('transfer-bo'));
    // Replay computes every suggestion again here, on the test's own event loop, from the graph alone.
    const replay = await replayExperiment(graph, api.projectId, e.body.id);
    expect(replay.mismatches).toEqual([]);
    expect(replay.matched).toBe(12);
  }, 180_000);

  it('a 20,000-column CSV is profiled in a worker thread: /health answers meanwhile', async () => {
    const columns = 19_999;
    const header = `${Array.from({ length: columns - 1 }, (_, j) => `f${j}`).join(',')},label\n`;
    const rows = Array.from({ length: 40 }, (_, i) => `${Array.from({ length: columns - 1 }, (_, j) => ((i * 31 + j * 7) % 97) / 10).join(',')},${i % 2}\n`);
    const csv = header + rows.join('');
    const t0 = performance.now();
    const { result, maxGapMs } = await withHealthPolled(base, () =>
      api.call('POST', '/v1/datasets?name=wide-csv&target=label', csv, { 'content-type': 'text/csv' }),
    );
    const uploadMs = performance.now() - t0;
    expect(result.status, result.text.slice(0, 500)).toBe(201);
    expect(result.body.features).toBe(columns - 1);
    console.log(
      `off the event loop: a ${(csv.length / 1024 ** 2).toFixed(1)} MiB CSV of ${columns} columns took ${uploadMs.toFixed(0)} ms; /health waited at most ${maxGapMs.toFixed(0)} ms`,
    );
    expect(maxGapMs).toBeLessThan(Math.max(250, uploadMs / 3));
  }, 180_000);
});
