// The warm-up (src/services/readiness.ts) must run every statement an experiment's first ask in a
// process runs: a statement it leaves out is planned on the first real ask after a restart (the
// edge repair and the stale check were, 64-264 ms each; see bench/README.md, first ask).
import type { ManagedTransaction, Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { warmQueryPlans } from '../../src/services/readiness.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { runImport } from '../../src/services/transfer.ts';
import { experimentLine } from '../support/experiment-line.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
/** Every statement sent through this graph's driver since the last reset. */
let sent = new Set<string>();

beforeAll(() => {
  graph = testGraph();
  const open = graph.driver.session.bind(graph.driver);
  const recording = (tx: ManagedTransaction): ManagedTransaction =>
    new Proxy(tx, {
      get: (target, prop, receiver) =>
        prop === 'run'
          ? (query: string, ...rest: unknown[]) => {
              sent.add(query);
              return (target.run as (...a: unknown[]) => ReturnType<typeof target.run>)(query, ...rest);
            }
          : Reflect.get(target, prop, receiver),
    });
  graph.driver.session = ((...args: Parameters<typeof open>) => {
    const session: Session = open(...args);
    const run = session.run.bind(session);
    session.run = ((query: string, ...rest: unknown[]) => {
      sent.add(query);
      return (run as (...a: unknown[]) => ReturnType<typeof run>)(query, ...rest);
    }) as typeof session.run;
    for (const method of ['executeRead', 'executeWrite'] as const) {
      const execute = session[method].bind(session);
      session[method] = ((work: (tx: ManagedTransaction) => Promise<unknown>, config?: unknown) =>
        (execute as (w: typeof work, c?: unknown) => Promise<unknown>)((tx) => work(recording(tx)), config)) as (typeof session)[typeof method];
    }
    return session;
  }) as typeof graph.driver.session;
});
afterAll(() => graph.close());

describe('the warm-up', () => {
  it("runs every statement of an experiment's first ask in a process, warm-started from explicit priors and from a similarity search", async () => {
    const { id: projectId } = await ensureProject(graph, `warm-up-coverage-${Date.now()}`);
    const [prior] = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'prior', 8, { mode: 'off' }))).experiments.map((e) => e.experimentId);
    const explicit = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'explicit', 2, { mode: 'explicit', experiments: [prior] })))
      .experiments[0]!.experimentId;
    const auto = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'auto', 2, { mode: 'auto' }))).experiments[0]!.experimentId;

    sent = new Set();
    await warmQueryPlans(graph);
    const warmed = sent;
    for (const target of [explicit, auto]) {
      sent = new Set();
      // A new service: its first ask of the experiment, as after a restart.
      const { trials } = await new SuggestionService(graph, { optimizerThreads: 0 }).suggest(projectId, target, 1);
      expect(trials).toHaveLength(1);
      expect(sent.size, 'statements were recorded').toBeGreaterThan(3);
      const missing = [...sent].filter((q) => !warmed.has(q));
      expect(missing, 'statements of a first ask the warm-up does not run').toEqual([]);
    }
  });
});
