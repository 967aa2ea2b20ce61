// The core of `npx tsx bench/load.ts` on the smallest useful run: a few autocannon connections asking and
// telling over loopback HTTP against a test app for a few seconds, then the reconciliation against the graph.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passed, reconcile, report, runLoad, setupExperiments } from '../../bench/load/run.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let base: string;
beforeAll(async () => {
  api = await testApi({ rateLimitPerMinute: 0 });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = api.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => api.close());

describe('bench/load (smoke)', () => {
  it('asks and tells with 4 connections on 2 experiments for 4 s: no errors, every told value stored', async () => {
    const ids = await setupExperiments(base, api.key, 2, 'auto');
    // One sequential ask+tell per experiment first: on a busy machine the first concurrent asks on a fresh
    // database can take seconds, which would leave a 4 s run with no tell at all.
    const r = await runLoad({ base, key: api.key, connections: 4, duration: 4, warmup: 1 }, ids);
    const lines = report(r, 4).join('\n');
    expect(passed(r), lines).toBe(true);
    expect(r.tells, lines).toBeGreaterThan(0);
    expect(r.reconciliation.told).toBe(r.tells + 2);
    // Every answered ask left a trial (those answered after the end are running or completed unseen).
    expect(Object.values(r.reconciliation.stored).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(r.asks);
  }, 60_000); // about 6 s when the machine is idle; much longer while other work loads it

  it('reports a told value that is not stored, or stored with another value', async () => {
    const ids = await setupExperiments(base, api.key, 1, 'random');
    const ask = await api.call('POST', `/v1/experiments/${ids[0]}/suggestions`, { count: 1 });
    const t = ask.body.trials[0];
    await api.call('POST', `/v1/trials/${t.id}/complete`, { value: 1.5 });
    const rec = await reconcile(
      base,
      api.key,
      ids,
      new Map([
        [t.id, { value: 2.5, experimentId: ids[0]! }],
        ['00000000-0000-4000-8000-000000000000', { value: 1, experimentId: ids[0]! }],
      ]),
    );
    expect(rec.mismatches).toHaveLength(2);
    expect(rec.mismatches.join('\n')).toMatch(/told 2.5, stored 1.5/);
    expect(rec.mismatches.join('\n')).toMatch(/is not stored/);
  });
});
