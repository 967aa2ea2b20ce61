import { expect } from 'vitest';
import type { TestApi } from './api.ts';

/**
 * A random-design experiment (one float parameter, maximize, warm start off) with `trials` running
 * trials, asked for through the API in batches of at most 64.
 */
export async function experimentWithRunningTrials(api: TestApi, name: string, trials: number): Promise<{ id: string; trialIds: string[] }> {
  const d = await api.call('POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name },
    searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1, log: false }],
    objective: { metric: 'score', direction: 'maximize' },
    warmStart: { mode: 'off' },
    optimizer: { strategy: 'random' },
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  const trialIds: string[] = [];
  while (trialIds.length < trials) {
    const r = await api.call('POST', `/v1/experiments/${e.body.id}/suggestions`, { count: Math.min(64, trials - trialIds.length) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    trialIds.push(...r.body.trials.map((t: { id: string }) => t.id));
  }
  return { id: e.body.id, trialIds };
}
