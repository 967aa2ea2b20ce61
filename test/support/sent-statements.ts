import type { ManagedTransaction, Session } from 'neo4j-driver';
import { afterAll, beforeAll } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { testGraph } from './graph.ts';

/**
 * Records every statement sent through the graph's driver (auto-commit, read and write
 * transactions) from now on; `take()` hands back what was sent since the last take and starts over.
 */
export function recordStatements(graph: Graph): { take(): Set<string> } {
  let sent = new Set<string>();
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
  return {
    take() {
      const taken = sent;
      sent = new Set();
      return taken;
    },
  };
}

/** A graph of the test file's own, whose statements are recorded (see recordStatements); set before the tests, closed after them. */
export function recordedTestGraph(): { graph: Graph; statements: { take(): Set<string> } } {
  const ctx = {} as { graph: Graph; statements: { take(): Set<string> } };
  beforeAll(() => {
    ctx.graph = testGraph();
    ctx.statements = recordStatements(ctx.graph);
  });
  afterAll(() => ctx.graph.close());
  return ctx;
}
