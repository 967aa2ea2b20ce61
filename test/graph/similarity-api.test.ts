import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';
import { recordStatements } from '../support/sent-statements.ts';

let api: TestApi;
const ids: Record<string, string> = {};
const datasets: Record<string, string> = {};
const space = [
  { name: 'C', type: 'float', low: 0.01, high: 100, log: true },
  { name: 'gamma', type: 'float', low: 0.001, high: 10, log: true },
];

/**
 * Datasets on a line in meta-feature space: near (distance 0.1 from the query), mid (0.5), far (1.0).
 * The ranking is known in advance; a distractor next to the query uses another model.
 */
beforeAll(async () => {
  api = await testApi();
  const layout: [string, number, string, string[]][] = [
    ['query', 0, 'svm', ['C', 'gamma']],
    ['near', 0.1, 'svm', ['C', 'gamma']],
    ['mid', 0.5, 'svm', ['C', 'gamma']],
    ['far', 1.0, 'svm', ['C']],
    ['other-model', 0.05, 'xgboost', ['C', 'gamma']],
  ];
  for (const [name, x, model, params] of layout) {
    const d = await api.call('POST', '/v1/datasets', {
      name,
      taskType: 'classification',
      metaFeatures: { mf_a: x, mf_b: 2 * x, mf_c: 10 + x },
    });
    datasets[name] = d.body.id;
    const e = await api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      model: { name: model },
      searchSpace: space.filter((p) => params.includes(p.name)),
      objective: { metric: 'accuracy', direction: 'maximize' },
      seed: 1,
    });
    ids[name] = e.body.id;
    for (const [i, value] of [0.6, 0.9, 0.7].entries()) {
      const config = params.includes('gamma') ? { C: 1 + i, gamma: 0.1 } : { C: 1 + i };
      await api.call('POST', `/v1/experiments/${e.body.id}/trials`, { config, value });
    }
  }
});
afterAll(() => api.close());

describe('similar experiments', () => {
  it('ranks by meta-feature similarity for a dataset, with reasons and best trial', async () => {
    const r = await api.call('POST', '/v1/similar-experiments', { datasetId: datasets.query, model: 'svm', excludeExperimentIds: [ids.query], k: 5 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const order = r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id);
    expect(order).toEqual([ids.near, ids.mid, ids.far]);
    const [near, mid, far] = r.body.items;
    expect(near.similarity).toBeGreaterThan(mid.similarity);
    expect(mid.similarity).toBeGreaterThan(far.similarity);
    // Range-normalized mean absolute difference: far is at the edge of every range.
    expect(far.similarity).toBeCloseTo(0, 6);
    expect(near.similarity).toBeCloseTo(0.9, 6);
    expect(near.reasons.metaFeatures.sharedFeatures).toBe(3);
    expect(near.reasons.sameModel).toBe(true);
    expect(near.bestTrial).toMatchObject({ number: 1, value: 0.9, config: { C: 2, gamma: 0.1 } });
    expect(near.completedTrials).toBe(3);
  });

  it('accepts raw meta-features and filters by model', async () => {
    const all = await api.call('POST', '/v1/similar-experiments', { metaFeatures: { mf_a: 0.04, mf_b: 0.08, mf_c: 10.04 }, k: 10 });
    const order = all.body.items.map((i: { experiment: { id: string } }) => i.experiment.id);
    expect(order.slice(0, 2)).toEqual([ids['other-model'], ids.query]);
    const svmOnly = await api.call('POST', '/v1/similar-experiments', { metaFeatures: { mf_a: 0.04, mf_b: 0.08, mf_c: 10.04 }, model: 'svm', k: 2 });
    expect(svmOnly.body.items.map((i: { experiment: { id: string } }) => i.experiment.id)).toEqual([ids.query, ids.near]);
  });

  it('filters by search-space overlap', async () => {
    const r = await api.call('POST', '/v1/similar-experiments', { datasetId: datasets.query, model: 'svm', searchSpace: ['C', 'gamma'], minOverlap: 1, k: 10 });
    const order = r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id);
    expect(order).not.toContain(ids.far);
    expect(order).toContain(ids.mid);
    const loose = await api.call('POST', '/v1/similar-experiments', { datasetId: datasets.query, model: 'svm', searchSpace: ['C', 'gamma'], k: 10 });
    const far = loose.body.items.find((i: { experiment: { id: string } }) => i.experiment.id === ids.far);
    expect(far.reasons.searchSpaceOverlap).toBe(0.5);
    expect(far.reasons.sharedParameters).toEqual(['C']);
  });

  it('finds experiments similar to an experiment, excluding itself and other models', async () => {
    const r = await api.call('GET', `/v1/experiments/${ids.query}/similar?k=3`);
    expect(r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id)).toEqual([ids.near, ids.mid, ids.far]);
    const anyModel = await api.call('GET', `/v1/experiments/${ids.query}/similar?k=1&sameModel=false`);
    expect(anyModel.body.items[0].experiment.id).toBe(ids['other-model']);
  });

  it('scores a lone close candidate as close: distances are scaled by the whole project', async () => {
    const own = await testApi();
    try {
      const mk = async (name: string, x: number, model: string) => {
        const d = await own.call('POST', '/v1/datasets', { name, metaFeatures: { mf_a: x, mf_b: 10 * x } });
        await own.call('POST', '/v1/experiments', {
          datasetId: d.body.id,
          model: { name: model },
          searchSpace: space,
          objective: { metric: 'accuracy', direction: 'maximize' },
        });
        return d.body.id as string;
      };
      const query = await mk('q', 0, 'svm');
      await mk('close', 0.01, 'knn');
      await mk('unrelated', 1, 'rf');
      const r = await own.call('POST', '/v1/similar-experiments', { datasetId: query, model: 'knn', k: 5 });
      expect(r.body.items).toHaveLength(1);
      expect(r.body.items[0].similarity).toBeCloseTo(0.99, 6);
    } finally {
      await own.close();
    }
  });

  it('validates the query', async () => {
    expect((await api.call('POST', '/v1/similar-experiments', {})).body.issues[0].field).toBe('body.datasetId');
    expect((await api.call('POST', '/v1/similar-experiments', { metaFeatures: { a: 1 }, k: 0 })).body.issues[0].field).toBe('body.k');
    expect((await api.call('POST', '/v1/similar-experiments', { datasetId: '6d0f4a0e-8f1e-4f57-9a43-4a3f1d1c8a11' })).status).toBe(404);
  });
});

describe('CSV upload', () => {
  const csv = 'x,y,label\n1,2,a\n2,4,a\n3,6,b\n4,8,b\n5,10,a\n6,12,b\n';

  it('profiles the file into meta-features and a fingerprint', async () => {
    const r = await api.call('POST', '/v1/datasets?name=tiny&target=label', csv, { 'content-type': 'text/csv' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.fingerprint).toBe(`sha256:${createHash('sha256').update(csv).digest('hex')}`);
    expect(r.body).toMatchObject({ name: 'tiny', taskType: 'classification', instances: 6, features: 2, classes: 2 });
    expect(r.body.metaFeatures.number_of_instances).toBe(6);
    expect(r.body.metaFeatures.class_entropy).toBeCloseTo(1, 12);
    expect(r.body.profile).toMatchObject({ rows: 6, sampled: false, target: 'label' });
    const again = await api.call('POST', '/v1/datasets?name=tiny&target=label', csv, { 'content-type': 'text/csv' });
    expect(again.status).toBe(200);
    const changed = await api.call('POST', '/v1/datasets?name=tiny&target=label', `${csv}7,14,a\n`, { 'content-type': 'text/csv' });
    expect(changed.status).toBe(409);
  });

  it('rejects bad CSVs and missing parameters with 400', async () => {
    expect((await api.call('POST', '/v1/datasets?name=bad&target=nope', csv, { 'content-type': 'text/csv' })).status).toBe(400);
    const noName = await api.call('POST', '/v1/datasets', csv, { 'content-type': 'text/csv' });
    expect(noName.status).toBe(400);
    expect(noName.body.issues[0].field).toBe('querystring.name');
    expect((await api.call('POST', '/v1/datasets?name=empty', '', { 'content-type': 'text/csv' })).status).toBe(400);
  });

  it('rejects a CSV over the size limit', async () => {
    const small = await testApi({ csvLimit: 20 });
    try {
      const r = await small.call('POST', '/v1/datasets?name=big', csv, { 'content-type': 'text/csv' });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/limit/);
    } finally {
      await small.close();
    }
  });
});

describe('similar experiments among many projects', () => {
  it("finds all of a project's neighbours when other projects hold many nearer datasets, exactly and through the vector index", async () => {
    const { nearExperiments } = await import('../../graph/repositories/similar.ts');
    const { metaFeatureEmbedding } = await import('../../src/similarity/embedding.ts');
    const { testGraph } = await import('../support/graph.ts');
    const graph = testGraph();
    const mine = await testApi();
    const crowd = await testApi();
    try {
      // 120 datasets right at the query point in another project, 4 farther ones in mine: a fixed
      // over-fetch of the global index returns only the crowd's.
      const make = async (a: TestApi, name: string, x: number) => {
        const d = await a.call('POST', '/v1/datasets', { name, metaFeatures: { mf_a: x, mf_b: 2 * x, mf_c: 10 + x } });
        const e = await a.call('POST', '/v1/experiments', {
          datasetId: d.body.id,
          model: { name: 'svm' },
          searchSpace: space,
          objective: { metric: 'accuracy', direction: 'maximize' },
          seed: 1,
        });
        expect(e.status, JSON.stringify(e.body)).toBe(201);
        return e.body.id as string;
      };
      const own = [];
      for (let i = 0; i < 4; i++) own.push(await make(mine, `mine-${i}`, 3 + i));
      await Promise.all(Array.from({ length: 120 }, (_, i) => make(crowd, `crowd-${i}`, i * 1e-4)));
      const embedding = metaFeatureEmbedding({ mf_a: 0, mf_b: 0, mf_c: 10 })!;
      for (const exactSearchMax of [2000, 0]) {
        const found = await nearExperiments(graph, [mine.projectId], embedding, 10, { model: 'svm', limit: 100 }, exactSearchMax);
        expect(found.map((n) => n.experiment.id).sort(), `exactSearchMax ${exactSearchMax}`).toEqual([...own].sort());
      }
      // Through the API too: k 4 from a dataset of mine.
      const r = await mine.call('POST', '/v1/similar-experiments', { metaFeatures: { mf_a: 0, mf_b: 0, mf_c: 10 }, model: 'svm', k: 4 });
      expect(r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id).sort()).toEqual([...own].sort());
    } finally {
      await mine.close();
      await crowd.close();
      await graph.close();
    }
  });

  it('finds the one experiment of the same model behind many nearer experiments of other models, exactly and through the vector index', async () => {
    const { nearExperiments } = await import('../../graph/repositories/similar.ts');
    const { metaFeatureEmbedding } = await import('../../src/similarity/embedding.ts');
    const { testGraph } = await import('../support/graph.ts');
    const graph = testGraph();
    const mine = await testApi();
    try {
      const make = async (name: string, x: number, model: string) => {
        const d = await mine.call('POST', '/v1/datasets', { name, metaFeatures: { mf_a: x, mf_b: 2 * x, mf_c: 10 + x } });
        const e = await mine.call('POST', '/v1/experiments', {
          datasetId: d.body.id,
          model: { name: model },
          searchSpace: space,
          objective: { metric: 'accuracy', direction: 'maximize' },
          seed: 1,
        });
        expect(e.status, JSON.stringify(e.body)).toBe(201);
        return e.body.id as string;
      };
      // 80 datasets at the query point tuned with another model, one farther away with ours.
      await Promise.all(Array.from({ length: 80 }, (_, i) => make(`other-${i}`, i * 1e-4, 'xgboost')));
      const ours = await make('ours', 5, 'svm-alone');
      const embedding = metaFeatureEmbedding({ mf_a: 0, mf_b: 0, mf_c: 10 })!;
      for (const exactSearchMax of [2000, 0]) {
        const found = await nearExperiments(graph, [mine.projectId], embedding, 10, { model: 'svm-alone', limit: 10 }, exactSearchMax);
        expect(
          found.map((n) => n.experiment.id),
          `exactSearchMax ${exactSearchMax}`,
        ).toEqual([ours]);
      }
      const r = await mine.call('POST', '/v1/similar-experiments', { metaFeatures: { mf_a: 0, mf_b: 0, mf_c: 10 }, model: 'svm-alone', k: 1 });
      expect(r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id)).toEqual([ours]);
    } finally {
      await mine.close();
      await graph.close();
    }
  });
});

describe('similar experiments that tie', () => {
  it('are ordered by name, not by their random ids, so two imports of one history choose alike', async () => {
    const tied = await testApi();
    try {
      const created: Record<string, string> = {};
      // Created out of name order, each with the same evidence and no meta-features: every key but the name ties.
      for (const name of ['prior c', 'prior a', 'prior b']) {
        const d = await tied.call('POST', '/v1/datasets', { name, metaFeatures: {} });
        const e = await tied.call('POST', '/v1/experiments', {
          name,
          datasetId: d.body.id,
          model: { name: 'tie' },
          searchSpace: [space[0]],
          objective: { metric: 'accuracy', direction: 'maximize' },
        });
        created[name] = e.body.id;
        for (const value of [0.6, 0.7])
          expect((await tied.call('POST', `/v1/experiments/${e.body.id}/trials`, { config: { C: value * 10 }, value })).status).toBe(201);
      }
      const r = await tied.call('POST', '/v1/similar-experiments', { model: 'tie', searchSpace: ['C'], k: 3 });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.map((i: { experiment: { id: string } }) => i.experiment.id)).toEqual([created['prior a'], created['prior b'], created['prior c']]);
    } finally {
      await tied.close();
    }
  });
});

// Last: it adds a dataset, which moves every range.
describe('meta-feature ranges', () => {
  it('are shared by the similarity search and the prior choice of an ask: one read per process while the datasets stay the same', async () => {
    const statements = recordStatements(api.graph);
    const rangesRead = () => [...statements.take()].some((q) => q.includes('min(v)'));
    // A dataset of its own, so the ranges this test's earlier reads kept are stale.
    await api.call('POST', '/v1/datasets', { name: 'ranges-probe', taskType: 'classification', metaFeatures: { mf_a: 0.3, mf_b: 0.6, mf_c: 10.3 } });
    statements.take();
    const r = await api.call('POST', '/v1/similar-experiments', { datasetId: datasets.query, model: 'svm', excludeExperimentIds: [ids.query], k: 5 });
    expect(r.status).toBe(200);
    expect(rangesRead(), 'the search reads the new ranges').toBe(true);
    // The ask chooses its priors by a similarity search over the same projects: the ranges are kept.
    const ask = await api.call('POST', `/v1/experiments/${ids.query}/suggestions`, { count: 1 });
    expect(ask.status, JSON.stringify(ask.body)).toBe(201);
    expect(ask.body.trials[0].provenance.priors.length).toBeGreaterThan(0);
    expect(rangesRead(), 'the ask reads them again').toBe(false);
  });
});
