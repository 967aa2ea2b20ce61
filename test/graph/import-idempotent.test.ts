import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { SHARED_PROJECT } from '../../graph/repositories/projects.ts';
import { readStatement } from '../../graph/tx.ts';
import { exportProject, runImport } from '../../src/services/transfer.ts';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';

/**
 * Importing the same file into the same project again creates nothing, whichever project or graph
 * it was exported from: a copy is recognized by what it was imported from (the source experiment's
 * id, or a digest of an id-less line), never by the id it got here.
 */
let graph: Graph;
const apis: TestApi[] = [];
async function project(): Promise<TestApi> {
  const api = await testApi();
  apis.push(api);
  return api;
}
beforeAll(() => {
  graph = testGraph();
});
afterAll(async () => {
  for (const api of apis) await api.close();
  await graph.close();
});

const space = [
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'linear'] },
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
];

/** An experiment line without an id (as a converter or a person writes one). */
function line(dataset: string, name: string, trials: number, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name: dataset, taskType: 'classification', metaFeatures: { rows: 100 + trials, cols: 7 } },
    experiment: {
      name,
      model: { name: 'svm', library: 'sklearn' },
      searchSpace: space,
      objective: { metric: 'acc', direction: 'maximize' },
      seed: 7,
      ...extra,
    },
    trials: Array.from({ length: trials }, (_, n) => ({
      number: n,
      state: 'completed',
      config: { kernel: n % 2 ? 'linear' : 'rbf', C: 10 ** ((n % 6) - 2) },
      value: 0.5 + n / 100,
    })),
  });
}

/** What a project holds, counted in the graph. */
async function counts(projectId: string) {
  const [row] = await readStatement<{ experiments: number; trials: number; datasets: number }>(
    graph,
    `RETURN COUNT { MATCH (e:Experiment) WHERE e.projectId = $projectId } AS experiments,
            COUNT { MATCH (e:Experiment)-[:HAS_TRIAL]->(:Trial) WHERE e.projectId = $projectId } AS trials,
            COUNT { MATCH (d:Dataset) WHERE d.projectId = $projectId } AS datasets`,
    { projectId },
  );
  return { experiments: Number(row!.experiments), trials: Number(row!.trials), datasets: Number(row!.datasets) };
}

async function exported(projectId: string): Promise<string> {
  const lines: string[] = [];
  for await (const l of exportProject(graph, projectId)) lines.push(l);
  return `${lines.join('\n')}\n`;
}

const statuses = (body: { experiments: { status: string }[]; datasets: { status: string }[] }) => ({
  experiments: body.experiments.map((e) => e.status),
  datasets: body.datasets.map((d) => d.status),
});

describe('importing the same file again', () => {
  it('into another project than the one it was exported from creates nothing the second time', async () => {
    const a = await project();
    const made = await a.call(
      'POST',
      '/v1/import',
      [line('idem-a1', 'first', 3, { status: 'running' }), line('idem-a2', 'second', 5), line('idem-a1', 'third', 0, { seed: 8 })].join('\n'),
      NDJSON,
    );
    expect(made.status, made.text).toBe(201);
    // A trial told through the API (not imported) and a dataset no experiment uses are exported too.
    const first = made.body.experiments[0].experimentId;
    expect((await a.call('POST', `/v1/experiments/${first}/trials`, { config: { kernel: 'rbf', C: 2 }, value: 0.9 })).status).toBe(201);
    expect((await a.call('POST', '/v1/datasets', { name: 'idem-unused', metaFeatures: { rows: 1 } })).status).toBe(201);
    const file = await exported(a.projectId);
    expect(file.trim().split('\n')).toHaveLength(4);

    const b = await project();
    const once = await b.call('POST', '/v1/import', file, NDJSON);
    expect(once.status, once.text).toBe(201);
    expect(statuses(once.body)).toEqual({ experiments: ['created', 'created', 'created'], datasets: ['created'] });
    expect(once.body.trials).toBe(9);
    // The source ids are taken in this graph (project A has them): the copies got new ones.
    const sourceIds = file
      .trim()
      .split('\n')
      .slice(0, 3)
      .map((l) => JSON.parse(l).experiment.id);
    for (const e of once.body.experiments) expect(sourceIds).not.toContain(e.experimentId);
    const after = await counts(b.projectId);
    expect(after).toEqual({ experiments: 3, trials: 9, datasets: 3 });

    const twice = await b.call('POST', '/v1/import', file, NDJSON);
    expect(twice.status, twice.text).toBe(201);
    expect(statuses(twice.body)).toEqual({ experiments: ['exists', 'exists', 'exists'], datasets: ['exists'] });
    expect(twice.body.trials).toBe(0);
    expect(twice.body.experiments.map((e: { experimentId: string }) => e.experimentId)).toEqual(
      once.body.experiments.map((e: { experimentId: string }) => e.experimentId),
    );
    expect(twice.body.datasets[0].datasetId).toBe(once.body.datasets[0].datasetId);
    expect(await counts(b.projectId)).toEqual(after);

    // B's own export imported back into B is B's experiments themselves.
    const fromB = await b.call('POST', '/v1/import', await exported(b.projectId), NDJSON);
    expect(statuses(fromB.body).experiments).toEqual(['exists', 'exists', 'exists']);
    expect(await counts(b.projectId)).toEqual(after);
    // …and A is untouched by all of this.
    expect(await counts(a.projectId)).toEqual({ experiments: 3, trials: 9, datasets: 3 });
  });

  it('without experiment ids recognizes the lines by their content, in any key order', async () => {
    const c = await project();
    // Two lines that agree on everything that identifies them but their trials are two experiments.
    const file = [line('idem-c', 'run', 2), line('idem-c', 'run', 4), line('idem-c', 'other run', 1)].join('\n');
    const once = await c.call('POST', '/v1/import', file, NDJSON);
    expect(statuses(once.body).experiments).toEqual(['created', 'created', 'created']);
    const after = await counts(c.projectId);
    expect(after).toEqual({ experiments: 3, trials: 7, datasets: 1 });

    const twice = await c.call('POST', '/v1/import', file, NDJSON);
    expect(statuses(twice.body).experiments).toEqual(['exists', 'exists', 'exists']);
    expect(twice.body.experiments.map((e: { experimentId: string }) => e.experimentId)).toEqual(
      once.body.experiments.map((e: { experimentId: string }) => e.experimentId),
    );
    expect(twice.body.trials).toBe(0);
    expect(await counts(c.projectId)).toEqual(after);

    // The same line reformatted (keys in another order) is the same line.
    const reordered = (l: string) => {
      const o = JSON.parse(l);
      return JSON.stringify({ trials: o.trials, experiment: Object.fromEntries(Object.entries(o.experiment).reverse()), dataset: o.dataset, format: o.format });
    };
    const again = await c.call('POST', '/v1/import', reordered(line('idem-c', 'other run', 1)), NDJSON);
    expect(again.body.experiments[0]).toMatchObject({ experimentId: once.body.experiments[2].experimentId, status: 'exists' });
    // Another seed is another experiment.
    expect((await c.call('POST', '/v1/import', line('idem-c', 'other run', 1, { seed: 99 }), NDJSON)).body.experiments[0].status).toBe('created');
  });

  it('after an interrupted import creates only the missing experiments', async () => {
    const source = await project();
    const lines = [line('idem-p1', 'p1', 2), line('idem-p2', 'p2', 3), line('idem-p2', 'p2', 1), line('idem-p3', 'p3', 4)];
    expect((await source.call('POST', '/v1/import', lines.join('\n'), NDJSON)).status).toBe(201);
    const exportedLines = (await exported(source.projectId)).trim().split('\n');
    // Half of the file with ids (exported), half without: both kinds resume.
    for (const file of [exportedLines, lines]) {
      const target = await project();
      const partial = await target.call('POST', '/v1/import', file.slice(0, 2).join('\n'), NDJSON);
      expect(statuses(partial.body).experiments).toEqual(['created', 'created']);
      const whole = await target.call('POST', '/v1/import', file.join('\n'), NDJSON);
      expect(statuses(whole.body).experiments).toEqual(['exists', 'exists', 'created', 'created']);
      expect(whole.body.experiments.slice(0, 2).map((e: { experimentId: string }) => e.experimentId)).toEqual(
        partial.body.experiments.map((e: { experimentId: string }) => e.experimentId),
      );
      const trialsOf = (ls: string[]) => ls.reduce((n, l) => n + JSON.parse(l).trials.length, 0);
      expect(whole.body.trials).toBe(trialsOf(file.slice(2)));
      expect(await counts(target.projectId)).toEqual({ experiments: 4, trials: 10, datasets: 3 });
      const rerun = await target.call('POST', '/v1/import', file.join('\n'), NDJSON);
      expect(statuses(rerun.body).experiments).toEqual(['exists', 'exists', 'exists', 'exists']);
      expect(await counts(target.projectId)).toEqual({ experiments: 4, trials: 10, datasets: 3 });
    }
  });

  it('twice at once leaves exactly one copy of each experiment', async () => {
    const source = await project();
    const made = await source.call(
      'POST',
      '/v1/import',
      [line('idem-r1', 'r1', 20), line('idem-r2', 'r2', 20), line('idem-r1', 'r3', 20, { seed: 3 })].join('\n'),
      NDJSON,
    );
    expect(made.status, made.text).toBe(201);
    const files = [
      { file: await exported(source.projectId), trials: 60 },
      { file: [line('idem-r4', 'r4', 30), line('idem-r4', 'r4', 30), line('idem-r5', 'r5', 30)].join('\n'), trials: 90 },
    ];
    for (const { file, trials } of files) {
      const d = await project();
      const results = await Promise.all([d.call('POST', '/v1/import', file, NDJSON), d.call('POST', '/v1/import', file, NDJSON)]);
      // A lost race is answered `exists` (the import retries once and finds the winner's copy); a 409 would be acceptable too.
      for (const r of results) expect([201, 409], r.text).toContain(r.status);
      expect(results.some((r) => r.status === 201)).toBe(true);
      expect(await counts(d.projectId)).toMatchObject({ experiments: 3 });
      const created = results.flatMap((r) => (r.status === 201 ? r.body.experiments : [])).filter((e: { status: string }) => e.status === 'created');
      expect(created.length).toBeLessThanOrEqual(3);
      const ok = results.filter((r) => r.status === 201);
      if (ok.length === 2) {
        expect(ok[0]!.body.experiments.map((e: { experimentId: string }) => e.experimentId)).toEqual(
          ok[1]!.body.experiments.map((e: { experimentId: string }) => e.experimentId),
        );
        expect(created).toHaveLength(3);
      }
      const rerun = await d.call('POST', '/v1/import', file, NDJSON);
      expect(statuses(rerun.body).experiments).toEqual(['exists', 'exists', 'exists']);
      expect(await counts(d.projectId)).toEqual({ experiments: 3, trials, datasets: 2 });
    }
  });

  it('many times at once through the service: one created, the rest exist', async () => {
    const e = await project();
    const text = line('idem-many', 'many', 50);
    const results = await Promise.all(Array.from({ length: 4 }, () => runImport(graph, e.projectId, text)));
    const all = results.map((r) => r.experiments[0]!);
    expect(all.filter((x) => x.status === 'created')).toHaveLength(1);
    expect(new Set(all.map((x) => x.experimentId)).size).toBe(1);
    expect(await counts(e.projectId)).toEqual({ experiments: 1, trials: 50, datasets: 1 });
  });
});

describe('sharing one experiment twice at once', () => {
  it('leaves one copy in the shared project', async () => {
    const owner = await project();
    // The shared project is visible to every project of the test server: a model of its own keeps the
    // copy out of other test files' similarity rankings.
    const made = await owner.call('POST', '/v1/import', line('idem-share', 'shared twice', 3, { model: { name: 'svm-idem-share-test' } }), NDJSON);
    const id = made.body.experiments[0].experimentId;
    const [x, y] = await Promise.all([owner.call('POST', `/v1/experiments/${id}/share`), owner.call('POST', `/v1/experiments/${id}/share`)]);
    for (const r of [x, y]) expect([200, 201, 409], r.text).toContain(r.status);
    const [row] = await readStatement<{ n: number }>(
      graph,
      'MATCH (p:Project {name: $shared}) RETURN COUNT { MATCH (e:Experiment {sharedFrom: $id}) WHERE e.projectId = p.id } AS n',
      { id, shared: SHARED_PROJECT },
    );
    expect(Number(row!.n)).toBe(1);
    const ids = [x, y].filter((r) => r.status !== 409).map((r) => r.body.experimentId);
    expect(new Set(ids).size).toBe(1);
    expect([x, y].filter((r) => r.status === 201)).toHaveLength(1);
  });
});
