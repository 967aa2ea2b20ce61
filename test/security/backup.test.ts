import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { testConnection } from '../support/graph.ts';

const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const c = testConnection();
const env = { ...process.env, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database };
const cli = (args: string[]) => spawnSync(tsx, ['src/cli.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });

const space = [
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'linear'] },
];
const objective = { metric: 'acc', direction: 'maximize' };

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

/** A project with every kind of thing a backup must carry. */
async function populate(): Promise<void> {
  const d = await api.call('POST', '/v1/datasets', {
    name: 'used',
    fingerprint: 'sha256:abc',
    taskType: 'classification',
    instances: 100,
    metaFeatures: { a: 1.5, b: -2e-7 },
  });
  await api.call('POST', '/v1/datasets', { name: 'unused', version: '3', description: 'kept even without experiments', metaFeatures: { a: 0.25 } });
  const e1 = (
    await api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      name: 'busy',
      model: { name: 'svm', library: 'sklearn' },
      searchSpace: space,
      objective,
      seed: 11,
      tags: ['x'],
      warmStart: { mode: 'off' },
      budget: { maxTrials: 40 },
    })
  ).body;
  const asked = (await api.call('POST', `/v1/experiments/${e1.id}/suggestions`, { count: 4 })).body.trials;
  await api.call('POST', `/v1/trials/${asked[0].id}/report`, { step: 1, value: 0.5 });
  await api.call('POST', `/v1/trials/${asked[0].id}/complete`, { value: 0.81, metrics: { f1: 0.7 }, durationSeconds: 3.5 });
  await api.call('POST', `/v1/trials/${asked[1].id}/fail`, { reason: 'OOM "quoted"' });
  await api.call('POST', `/v1/trials/${asked[2].id}/complete`, { value: 0.9 });
  await api.call('POST', `/v1/trials/${asked[2].id}/invalidate`, { reason: 'leaky split' });
  await api.call('POST', `/v1/experiments/${e1.id}/trials`, { config: { C: 5, kernel: 'linear' }, user: 'ana', reason: 'hunch' });
  await api.call('PATCH', `/v1/experiments/${e1.id}`, { budget: { maxTrials: 50 }, user: 'ana' });
  const e2 = (
    await api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      name: 'menu',
      model: { name: 'svm', library: 'sklearn' },
      searchSpace: space,
      objective,
      seed: 12,
      candidates: [
        { C: 1, kernel: 'rbf' },
        { C: 10, kernel: 'linear' },
      ],
    })
  ).body;
  await api.call('POST', `/v1/experiments/${e2.id}/pause`);
  const e3 = (
    await api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      name: 'done ✓ ünïcode',
      model: { name: 'svm', library: 'sklearn' },
      searchSpace: space,
      objective,
      seed: 13,
    })
  ).body;
  await api.call('POST', `/v1/experiments/${e3.id}/trials`, { config: { C: 2, kernel: 'rbf' }, value: 0.5 });
  await api.call('POST', `/v1/experiments/${e3.id}/finish`);
}

const ids = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { experiment?: { id: string } }).experiment?.id)
    .filter(Boolean) as string[];

describe('npm run export / npm run import (whole project)', () => {
  it('round-trips a project exactly (ids aside, which are taken in this database)', async () => {
    await populate();
    const dir = mkdtempSync(join(tmpdir(), 'precedent-backup-'));
    const first = join(dir, 'a.jsonl');
    const exported = cli(['export', '--project', api.project, '--out', first]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(statSync(first).mode & 0o777).toBe(0o600);
    const a = readFileSync(first, 'utf8');
    expect(a.trim().split('\n')).toHaveLength(4); // 3 experiments + 1 unused dataset

    const target = `restore-${randomUUID()}`;
    const imported = cli(['import', '--project', target, '--in', first]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('3 experiment(s) created');
    const again = cli(['export', '--project', target]);
    expect(again.status, again.stderr).toBe(0);
    const b = again.stdout;

    // The copies got new ids (the originals are still here); map them back and the files are equal.
    const [fromA, fromB] = [ids(a), ids(b)];
    expect(fromB).toHaveLength(3);
    let mapped = b;
    fromB.forEach((id, i) => (mapped = mapped.replaceAll(id, fromA[i]!)));
    expect(mapped).toBe(a);
  });

  it('refuses a broken file without importing anything, naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'precedent-backup-'));
    const bad = join(dir, 'bad.jsonl');
    const good = JSON.stringify({ format: 'precedent.dataset/1', dataset: { name: 'fine' } });
    writeFileSync(bad, `${good}\n{"format": "precedent.experiment/1", "dataset": {}}\n`);
    const project = `broken-${randomUUID()}`;
    const r = cli(['import', '--project', project, '--in', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const exported = cli(['export', '--project', project]);
    expect(exported.status).toBe(1);
    expect(exported.stderr).toMatch(/project .* not found/i);
  });
});
