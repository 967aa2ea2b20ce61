import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../optimizers/random.ts';
import { loadSuite, metaFeatureRecord, taskConfigs } from '../helpers/suites.ts';
import { testGraph } from '../support/graph.ts';
import { NDJSON, testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const suite = loadSuite('ecml2016-svm');
const HELD_OUT = 0;
const PRIORS = 12;
const PRIOR_TRIALS = 40;

describe('warm start from the knowledge graph, end to end through the API', () => {
  it('first suggestions come from the most similar prior experiments, with provenance in the graph', async () => {
    // Prior experiments: other tasks of the suite, each with a seeded sample of its evaluated configurations.
    const rng = new Rng(7);
    const lines = suite.tasks.slice(1, 1 + PRIORS).map((task) => {
      const configs = taskConfigs(suite, task);
      const order = configs.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const picks = order.slice(0, PRIOR_TRIALS);
      return JSON.stringify({
        format: 'precedent.experiment/1',
        dataset: { name: task.name, taskType: 'classification', metaFeatures: metaFeatureRecord(suite, task) },
        experiment: {
          name: `svm on ${task.name}`,
          model: { name: 'svm' },
          searchSpace: suite.searchSpace,
          objective: { metric: suite.objective.name, direction: suite.objective.direction },
          seed: 1,
        },
        trials: picks.map((row, n) => ({ number: n, state: 'completed', config: configs[row], value: task.values[row] })),
      });
    });
    const imported = await api.call('POST', '/v1/import', lines.join('\n'), NDJSON);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const priorIds = new Set<string>(imported.body.experiments.map((x: { experimentId: string }) => x.experimentId));

    // A new experiment on the held-back task, found similar through its meta-features.
    const held = suite.tasks[HELD_OUT]!;
    const d = await api.call('POST', '/v1/datasets', { name: held.name, taskType: 'classification', metaFeatures: metaFeatureRecord(suite, held) });
    const e = (
      await api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'svm' },
        searchSpace: suite.searchSpace,
        objective: { metric: suite.objective.name, direction: suite.objective.direction },
        seed: 1,
        warmStart: { mode: 'auto', maxPriors: 5 },
      })
    ).body;
    const similar = (await api.call('GET', `/v1/experiments/${e.id}/similar?k=5`)).body.items;
    const top5 = similar.map((s: { experiment: { id: string } }) => s.experiment.id);
    expect(top5).toHaveLength(5);

    const asked = await api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count: 3 });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    for (const t of asked.body.trials) {
      expect(['warm-start', 'portfolio']).toContain(t.strategy);
      const usedPriors = t.provenance.priors.map((p: { experimentId: string }) => p.experimentId);
      // The optimizer was given exactly the five most similar experiments; the ones that shaped this
      // configuration (provenance.priors) are among them, and so are the trials it came from.
      expect(usedPriors.length).toBeGreaterThan(0);
      for (const id of usedPriors) expect(top5).toContain(id);
      expect(t.provenance.sourceTrials.length).toBeGreaterThan(0);
      for (const s of t.provenance.sourceTrials) expect(top5).toContain(s.experimentId);
      expect(t.provenance.snapshot.priors.map((p: { experimentId: string }) => p.experimentId)).toEqual(top5);
    }
    for (const id of top5) expect(priorIds.has(id)).toBe(true);

    // The same provenance, as a person would follow it in Neo4j Browser.
    const graph = testGraph();
    try {
      const res = await graph.driver.executeQuery(
        `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial)-[s:SUGGESTED_FROM]->(p:Trial)<-[:HAS_TRIAL]-(prior:Experiment)
         MATCH (e)-[w:WARM_STARTED_FROM]->(prior)
         RETURN count(DISTINCT t) AS trials, collect(DISTINCT prior.id) AS priors, min(w.similarity) AS minSimilarity`,
        { id: e.id },
        { database: graph.database },
      );
      const row = res.records[0]!.toObject();
      expect(row.trials).toBe(3);
      for (const id of row.priors as string[]) expect(top5).toContain(id);
      expect(row.minSimilarity as number).toBeGreaterThan(0);

      // Configurations taken from priors get their EVALUATES edge after the batch commits (see
      // recordSuggestions), still before the response: each trial evaluates exactly one Config, the
      // one of its own configuration, and it is the Config node its source prior trial evaluates.
      const configs = await graph.driver.executeQuery(
        `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial)
         OPTIONAL MATCH (t)-[:EVALUATES]->(c:Config)
         OPTIONAL MATCH (t)-[:SUGGESTED_FROM]->(:Trial)-[:EVALUATES]->(pc:Config)
         RETURN t.configHash AS hash, collect(DISTINCT c.hash) AS evaluated, collect(DISTINCT c.key) AS keys, collect(DISTINCT pc.key) AS priorKeys`,
        { id: e.id },
        { database: graph.database },
      );
      expect(configs.records).toHaveLength(3);
      for (const r of configs.records.map((x) => x.toObject())) {
        expect(r.evaluated).toEqual([r.hash]);
        expect(r.priorKeys).toEqual(r.keys);
      }
    } finally {
      await graph.close();
    }
  });
});
