import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDatasets } from '../../graph/repositories/datasets.ts';
import { getProjectByName } from '../../graph/repositories/projects.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { testConnection, testGraph } from '../support/graph.ts';

function cli(args: string[]) {
  const c = testConnection();
  return spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npm run dataset -- add', () => {
  it('profiles a local CSV and registers it with its meta-features', async () => {
    const project = `test-cli-${randomUUID()}`;
    const run = cli(['dataset', 'add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'basic', '--project', project]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/registered dataset basic v1/);
    const graph = testGraph();
    try {
      const p = await getProjectByName(graph, project);
      const { items } = await listDatasets(graph, p.id, { limit: 10, offset: 0 });
      expect(items).toHaveLength(1);
      expect(items[0]?.fingerprint).toMatch(/^sha256:/);
      expect(items[0]?.metaFeatures.number_of_instances).toBeGreaterThan(0);
    } finally {
      await graph.close();
    }
    const again = cli(['dataset', 'add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'basic', '--project', project]);
    expect(again.stdout).toMatch(/already registered/);
  });

  it('explains a missing file, a bad option and an unusable CSV', () => {
    const missing = cli(['dataset', 'add', '--csv', 'nope.csv', '--name', 'x']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such file: nope.csv');
    const bad = cli(['dataset', 'add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'x', '--task-type', 'clustering']);
    expect(bad.stderr).toContain('--task-type must be auto, classification or regression');
    const target = cli(['dataset', 'add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'x', '--target', 'no_such_column']);
    expect(target.status).toBe(1);
    expect(target.stderr).toMatch(/cannot profile test\/fixtures\/csv\/basic.csv/);
    for (const r of [missing, bad, target]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
