import type { Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { pendingLinks, writeBatchLinks } from '../../graph/repositories/links.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { experimentLine } from '../support/experiment-line.ts';
import { testGraph } from '../support/graph.ts';

/**
 * A warm-started batch's SUGGESTED_FROM and EVALUATES edges are written after the batch (see
 * recordSuggestions). If that write fails, or the process stops before it, the edges are written
 * at the experiment's next ask: the trials keep a mark until they have them.
 */
let graph: Graph;
/** Link writes to fail, counted down. */
let failLinks = 0;
beforeAll(() => {
  graph = testGraph();
  const open = graph.driver.session.bind(graph.driver);
  graph.driver.session = ((...args: Parameters<typeof open>) => {
    const session: Session = open(...args);
    const run = session.run.bind(session);
    session.run = ((query: string, ...rest: unknown[]) => {
      if (query.includes('CREATE (t)-[:SUGGESTED_FROM') && failLinks > 0) {
        failLinks--;
        throw new Error('injected: the link write failed');
      }
      return (run as (...a: unknown[]) => ReturnType<typeof run>)(query, ...rest);
    }) as typeof session.run;
    return session;
  }) as typeof graph.driver.session;
});
afterAll(() => graph.close());

// Every ask here must be served from the priors (its edges and event numbers are what is checked), so the
// warm design follows them throughout instead of earning trust first (settings.warmTrust).
const line = (name: string, trials: number, warmStart: unknown) => experimentLine('link-repair', name, trials, warmStart, { warmTrust: 'given' });

/** Per trial of the experiment: its SUGGESTED_FROM and EVALUATES edges, and whether it is still marked. */
async function edges(experimentId: string) {
  const res = await graph.driver.executeQuery(
    `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial)
     RETURN t.number AS number, COUNT { (t)-[:SUGGESTED_FROM]->(:Trial) } AS sources, COUNT { (t)-[:EVALUATES]->(:Config) } AS configs,
            coalesce(t.linksPending, false) AS pending
     ORDER BY number`,
    { id: experimentId },
    { database: graph.database },
  );
  return res.records.map((r) => ({
    number: Number(r.get('number')),
    sources: Number(r.get('sources')),
    configs: Number(r.get('configs')),
    pending: r.get('pending') as boolean,
  }));
}

describe('deferred provenance edges', () => {
  it('are written at the next ask when their write failed, once each, and a late write of the same batch adds nothing', async () => {
    const { id: projectId } = await ensureProject(graph, `link-repair-${Date.now()}`);
    const [prior] = (await runImport(graph, projectId, line('prior', 8, { mode: 'off' }))).experiments.map((e) => e.experimentId);
    const target = (await runImport(graph, projectId, line('target', 0, { mode: 'explicit', experiments: [prior] }))).experiments[0]!.experimentId;
    const service = new SuggestionService(graph);

    // The batches' combined write fails, then the batch's write on its own.
    failLinks = 2;
    await expect(service.suggest(projectId, target, 1)).rejects.toThrow(/injected/);
    expect(failLinks).toBe(0);
    // The batch was recorded (one statement), its edges were not: the trial is still marked.
    expect(await edges(target)).toEqual([{ number: 0, sources: 0, configs: 0, pending: true }]);
    const lost = await pendingLinks(graph, projectId, target);
    expect(lost.configs.map((c) => c.configName)).toHaveLength(1);
    expect(lost.sources).toHaveLength(1);

    const { trials } = await service.suggest(projectId, target, 1);
    expect(trials).toHaveLength(1);
    expect(await edges(target)).toEqual([
      { number: 0, sources: 1, configs: 1, pending: false },
      { number: 1, sources: 1, configs: 1, pending: false },
    ]);
    expect(await pendingLinks(graph, projectId, target)).toEqual({ sources: [], configs: [] });

    // The failed batch's own write arriving after the repair (a retry, another process) is a no-op.
    await writeBatchLinks(graph, [projectId], lost);
    expect((await edges(target)).map((t) => [t.sources, t.configs])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const told = await completeTrial(graph, projectId, trials[0]!.id, { value: 0.1 });
    expect(told.changed).toBe(true);
  });

  it('are written at the first ask of a new process when the last one stopped before writing them', async () => {
    const { id: projectId } = await ensureProject(graph, `link-repair-restart-${Date.now()}`);
    const [prior] = (await runImport(graph, projectId, line('prior', 8, { mode: 'off' }))).experiments.map((e) => e.experimentId);
    const target = (await runImport(graph, projectId, line('target', 0, { mode: 'explicit', experiments: [prior] }))).experiments[0]!.experimentId;
    failLinks = 2;
    await expect(new SuggestionService(graph).suggest(projectId, target, 2)).rejects.toThrow(/injected/);
    expect((await edges(target)).map((t) => t.pending)).toEqual([true, true]);
    // A new process (service) knows nothing of the failure: it repairs at the experiment's first ask.
    const fresh = new SuggestionService(graph);
    await fresh.suggest(projectId, target, 1);
    expect(await edges(target)).toEqual([0, 1, 2].map((number) => ({ number, sources: 1, configs: 1, pending: false })));
  });
});
