import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { testConnection } from '../support/graph.ts';
import { testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

describe('npm run replay', () => {
  it('recomputes the suggestions of an experiment and reports that they match', async () => {
    const d = await api.call('POST', '/v1/datasets', { name: 'replay-cli', metaFeatures: { a: 1 } });
    const e = (
      await api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'quad' },
        searchSpace: [{ name: 'x', type: 'float', low: -1, high: 1, log: false }],
        objective: { metric: 'loss', direction: 'minimize' },
        warmStart: { mode: 'off' },
      })
    ).body;
    for (let i = 0; i < 7; i++) {
      const [t] = (await api.call('POST', `/v1/experiments/${e.id}/suggestions`, {})).body.trials;
      await api.call('POST', `/v1/trials/${t.id}/complete`, { value: (t.config.x - 0.3) ** 2 });
    }
    const c = testConnection();
    const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli.ts', 'replay', e.id], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('replayed 7 optimizer suggestion(s)');
    expect(run.stdout).toContain('all 7 match');
    const missing = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli.ts', 'replay', '6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('experiment "6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11" not found');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
