import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi({ rateLimitPerMinute: 5, bodyLimit: 64 * 1024 });
});
afterAll(() => api.close());

describe('limits', () => {
  it('rate-limits per key with 429 and Retry-After; another key and /health are not affected', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof api.call>> | undefined;
    for (let i = 0; i < 7; i++) {
      const r = await api.call('GET', '/v1/experiments');
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited!.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited!.body.message).toMatch(/rate limit of 5 requests per minute/);
    const other = await api.otherKey();
    expect((await api.call('GET', '/v1/experiments', undefined, { authorization: `Bearer ${other}` })).status).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe('size limits', () => {
  let big: TestApi;
  beforeAll(async () => {
    big = await testApi({ bodyLimit: 64 * 1024 });
  });
  afterAll(() => big.close());

  it('refuses bodies over the limit (413), pages and batches over their maximum (400)', async () => {
    const huge = await big.call('POST', '/v1/datasets', { name: 'x', description: 'a'.repeat(100 * 1024) });
    expect(huge.status).toBe(413);
    const page = await big.call('GET', '/v1/experiments?limit=100000');
    expect(page.status).toBe(400);
    expect(page.body.issues[0].field).toBe('querystring.limit');
    const count = await big.call('POST', '/v1/experiments/6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11/suggestions', { count: 100000 });
    expect(count.status).toBe(400);
    expect(count.body.issues[0].field).toBe('body.count');
  });
});
