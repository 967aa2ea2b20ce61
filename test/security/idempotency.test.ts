import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }];
const idem = (key: string) => ({ 'idempotency-key': key });

async function experimentCount(): Promise<number> {
  return (await api.call('GET', '/v1/experiments?limit=500')).body.total;
}

describe('Idempotency-Key', () => {
  it('a retried create returns the first result and creates nothing more', async () => {
    const key = randomUUID();
    const d = await api.call('POST', '/v1/datasets', { name: 'idem', metaFeatures: { a: 1 } });
    const body = {
      datasetId: d.body.id,
      model: { name: 'm' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
    };
    const before = await experimentCount();
    const first = await api.call('POST', '/v1/experiments', body, idem(key));
    expect(first.status).toBe(201);
    const again = await api.call('POST', '/v1/experiments', body, idem(key));
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await experimentCount()).toBe(before + 1);

    // Same key, different request: refused, nothing created.
    const other = await api.call('POST', '/v1/experiments', { ...body, name: 'different' }, idem(key));
    expect(other.status).toBe(422);
    expect(other.body.message).toMatch(/already used for a different request/);
    expect(await experimentCount()).toBe(before + 1);
  });

  it('retried suggestion requests hand out the same trials, also when the retries race', async () => {
    const d = await api.call('POST', '/v1/datasets', { name: 'idem-suggest', metaFeatures: { a: 1 } });
    const e = await api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      model: { name: 'm' },
      searchSpace: space,
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
    });
    const key = randomUUID();
    const url = `/v1/experiments/${e.body.id}/suggestions`;
    const racing = await Promise.all(Array.from({ length: 4 }, () => api.call('POST', url, { count: 2 }, idem(key))));
    const ok = racing.filter((r) => r.status === 201);
    // Each racer either got the stored answer or was told the first is still running.
    for (const r of racing) expect([201, 409]).toContain(r.status);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of racing.filter((x) => x.status === 409)) expect(r.headers['retry-after']).toBe('1');
    const retried = await api.call('POST', url, { count: 2 }, idem(key));
    expect(retried.status).toBe(201);
    for (const r of ok) expect(r.text).toBe(retried.text);
    const trials = await api.call('GET', `/v1/experiments/${e.body.id}/trials`);
    expect(trials.body.total).toBe(2);
  });

  it('a failed request releases its key; keys are per project; a bad key value is a 400', async () => {
    const key = randomUUID();
    const bad = await api.call('POST', '/v1/datasets', { name: '' }, idem(key));
    expect(bad.status).toBe(400);
    const good = await api.call('POST', '/v1/datasets', { name: 'released', metaFeatures: { a: 1 } }, idem(key));
    expect(good.status).toBe(201);
    // The same key in another project is another request.
    const other = await api.call(
      'POST',
      '/v1/datasets',
      { name: 'released', metaFeatures: { a: 1 } },
      { ...idem(key), authorization: `Bearer ${await api.otherKey()}` },
    );
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(good.body.id);
    const invalid = await api.call('POST', '/v1/datasets', { name: 'x' }, idem('has spaces in it'));
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues[0].field).toBe('headers.idempotency-key');
  });
});
