import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueries } from '../../graph/browser/guide.ts';
import { DEMO_SUITE, demoEnabled, loadDemo, type DemoResult } from '../../src/demo.ts';
import { testGraph } from '../support/graph.ts';

const graph = testGraph();
afterAll(() => graph.close());

/** Counts in one project, straight from the graph (what Neo4j Browser would show). */
async function projectCounts(project: string) {
  const res = await graph.driver.executeQuery(
    `MATCH (:Project {name: $project})-[:HAS_EXPERIMENT]->(e:Experiment)
     RETURN count(e) AS experiments,
            sum(COUNT { (e)-[:HAS_TRIAL]->(:Trial)-[:SUGGESTED_FROM]->(:Trial) }) AS suggestedFrom,
            sum(COUNT { (e)-[:WARM_STARTED_FROM]->(:Experiment) }) AS warmStartedFrom`,
    { project },
    { database: graph.database },
  );
  return res.records[0]!.toObject() as { experiments: number; suggestedFrom: number; warmStartedFrom: number };
}

// The test database is shared by test files running in parallel, so "empty" is judged per project
// here; the database-wide check (what `npm start` uses) is exercised where its answer is certain.
describe('the demo knowledge base', () => {
  const project = `test-demo-${randomUUID()}`;
  let first: DemoResult;

  beforeAll(async () => {
    first = await loadDemo(graph, { project, scope: 'project' });
  }, 60_000);

  it('imports prior experiments and runs a warm-started experiment whose provenance is in the graph', async () => {
    expect(first.status, JSON.stringify(first)).toBe('loaded');
    if (first.status !== 'loaded') return;
    expect(first.priorExperimentIds).toHaveLength(12);
    expect(first.importedTrials).toBe(12 * 48);
    expect(first.best).toBeGreaterThan(0.8);
    expect(first.best).toBeLessThanOrEqual(first.tableBest);
    const counts = await projectCounts(project);
    expect(counts.experiments).toBe(13);
    expect(counts.suggestedFrom).toBeGreaterThan(0);
    expect(counts.warmStartedFrom).toBeGreaterThan(0);
    const e = await graph.driver.executeQuery(
      `MATCH (e:Experiment {id: $id}) RETURN e.status AS status, e.completedCount AS completed, e.tags AS tags`,
      { id: first.experimentId },
      { database: graph.database },
    );
    expect(e.records[0]!.toObject()).toEqual({ status: 'finished', completed: 8, tags: ['demo', DEMO_SUITE] });
  });

  it('gives every saved Browser query something to show, starting from the warm-started experiment', async () => {
    if (first.status !== 'loaded') throw new Error('demo not loaded');
    for (const q of loadQueries()) {
      const res = await graph.driver.executeQuery(q.cypher, { project }, { database: graph.database });
      expect(res.records.length, q.id).toBeGreaterThan(0);
    }
    const [experiment, , provenance] = loadQueries();
    const shown = await graph.driver.executeQuery(experiment!.cypher, { project }, { database: graph.database });
    expect(shown.records[0]!.get('context').segments[0].end.properties.id).toBe(first.experimentId);
    const traced = await graph.driver.executeQuery(provenance!.cypher, { project }, { database: graph.database });
    expect(traced.records[0]!.get('suggestion').start.properties.id).toBe(first.experimentId);
  });

  it('refuses a project that already holds experiments, and --force adds a run without duplicating the priors', async () => {
    const again = await loadDemo(graph, { project, scope: 'project' });
    expect(again).toMatchObject({ status: 'skipped', reason: 'not-empty' });
    expect((await projectCounts(project)).experiments).toBe(13);

    const forced = await loadDemo(graph, { project, scope: 'project', force: true, rounds: 2 });
    expect(forced.status).toBe('loaded');
    expect((await projectCounts(project)).experiments).toBe(14);
  }, 30_000);

  it('judges the whole database by default: with experiments anywhere, a new project is left alone', async () => {
    const other = `test-demo-${randomUUID()}`;
    const r = await loadDemo(graph, { project: other });
    expect(r).toMatchObject({ status: 'skipped', reason: 'not-empty' });
    expect((await projectCounts(other)).experiments).toBe(0);
  });

  it('says so and writes nothing when the suite is missing', async () => {
    const other = `test-demo-${randomUUID()}`;
    const r = await loadDemo(graph, { project: other, scope: 'project', suiteDirs: ['/nonexistent/suites'] });
    expect(r).toMatchObject({ status: 'skipped', reason: 'no-suite' });
    expect(r.status === 'skipped' && r.message).toContain('ecml2016-svm.json not found');
    expect((await projectCounts(other)).experiments).toBe(0);
  });

  it('reads PRECEDENT_DEMO as on/off and rejects anything else', () => {
    expect(demoEnabled({})).toBe(true);
    expect(demoEnabled({ PRECEDENT_DEMO: 'off' })).toBe(false);
    expect(() => demoEnabled({ PRECEDENT_DEMO: 'no' })).toThrow(/PRECEDENT_DEMO: must be on or off/);
  });
});
