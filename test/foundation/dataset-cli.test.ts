import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDatasets } from '../../graph/repositories/datasets.ts';
import { ensureProject, getProjectByName } from '../../graph/repositories/projects.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { testApi, type TestApi } from '../support/api.ts';
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
    expect(run.status, run.stderr).toBe(0);
    // The id alone on stdout, so `DS=$(npm run -s dataset -- add …)` works; the report on stderr.
    expect(run.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(run.stderr).toMatch(/registered dataset basic v1/);
    expect(run.stderr).toMatch(/\d+ rows, \d+ meta-features, fingerprint sha256:/);
    const graph = testGraph();
    try {
      const p = await getProjectByName(graph, project);
      const { items } = await listDatasets(graph, p.id, { limit: 10, offset: 0 });
      expect(items).toHaveLength(1);
      expect(items[0]?.id).toBe(run.stdout.trim());
      expect(items[0]?.fingerprint).toMatch(/^sha256:/);
      expect(items[0]?.metaFeatures.number_of_instances).toBeGreaterThan(0);
    } finally {
      await graph.close();
    }
    const again = cli(['dataset', 'add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'basic', '--project', project]);
    expect(again.stdout).toBe(run.stdout);
    expect(again.stderr).toMatch(/already registered/);
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

describe('npm run dataset -- list', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi();
  });
  afterAll(() => api.close());

  it("lists the project's datasets with their experiments, as a table or as JSON", async () => {
    const used = (await api.call('POST', '/v1/datasets', { name: 'adult', version: '2', taskType: 'classification', instances: 48842, features: 14 })).body;
    const unused = (await api.call('POST', '/v1/datasets', { name: 'boston', taskType: 'regression' })).body;
    const e = await api.call('POST', '/v1/experiments', {
      datasetId: used.id,
      model: { name: 'svm' },
      searchSpace: [{ name: 'C', type: 'float', low: 0.001, high: 1000, log: true }],
      objective: { metric: 'loss', direction: 'minimize' },
    });
    expect(e.status).toBe(201);

    const shown = cli(['dataset', 'list', '--project', api.project]);
    expect(shown.status, shown.stderr).toBe(0);
    const [header, ...rows] = shown.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'VERSION', 'ID', 'TASK', 'INSTANCES', 'FEATURES', 'EXPERIMENTS']);
    expect(rows).toContainEqual(['adult', '2', used.id, 'classification', '48842', '14', '1']);
    expect(rows).toContainEqual(['boston', '1', unused.id, 'regression', '-', '-', '0']);
    expect(rows).toHaveLength(2);

    const json = cli(['dataset', 'list', '--project', api.project, '--json']);
    expect(json.status, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as { id: string; name: string; experimentCount: number }[];
    expect(items.map((d) => [d.name, d.id, d.experimentCount]).sort()).toEqual([
      ['adult', used.id, 1],
      ['boston', unused.id, 0],
    ]);
  });

  it('says so when the project has no datasets, and names a project that does not exist', async () => {
    const name = `empty-${randomUUID()}`;
    const graph = testGraph();
    try {
      await ensureProject(graph, name);
    } finally {
      await graph.close();
    }
    const empty = cli(['dataset', 'list', '--project', name]);
    expect(empty.status, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain(`project ${name} has no datasets`);
    expect(cli(['dataset', 'list', '--project', name, '--json']).stdout).toBe('[]\n');
    const none = cli(['dataset', 'list', '--project', `no-such-${randomUUID()}`]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/project "no-such-.*" not found/);
    expect(none.stdout).toBe('');
  });
});
