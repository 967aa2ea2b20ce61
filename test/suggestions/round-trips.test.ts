import type { Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { testGraph } from '../support/graph.ts';

/**
 * The hot path's cost on the wire: an explicit transaction is three requests to Neo4j (BEGIN, RUN,
 * COMMIT), a single statement in its own transaction is one. An ask and a tell are single statements.
 */
let graph: Graph;
const calls = { explicit: 0, statements: 0 };
beforeAll(() => {
  graph = testGraph();
  const open = graph.driver.session.bind(graph.driver);
  graph.driver.session = ((...args: Parameters<typeof open>) => {
    const session: Session = open(...args);
    for (const m of ['executeRead', 'executeWrite', 'beginTransaction'] as const) {
      const real = session[m].bind(session) as (...a: unknown[]) => unknown;
      (session as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => (calls.explicit++, real(...a));
    }
    const run = session.run.bind(session);
    session.run = ((...a: Parameters<typeof run>) => (calls.statements++, run(...a))) as typeof session.run;
    return session;
  }) as typeof graph.driver.session;
});
afterAll(() => graph.close());

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }];

describe('round trips per ask and tell', () => {
  it('asks with one read and one write statement, tells with one write statement, and no explicit transaction', async () => {
    const { id: projectId } = await ensureProject(graph, `round-trips-${Date.now()}`);
    const line = JSON.stringify({
      format: 'precedent.experiment/1',
      dataset: { name: 'rt', taskType: 'classification', metaFeatures: { a: 1 } },
      experiment: { name: 'rt', model: { name: 'rt' }, searchSpace: space, objective: { metric: 'loss', direction: 'minimize' }, seed: 1, status: 'running', warmStart: { mode: 'off' } },
      trials: [],
    });
    const experimentId = (await runImport(graph, projectId, line)).experiments[0]!.experimentId;
    const service = new SuggestionService(graph);
    const seen: { ask: typeof calls; tell: typeof calls }[] = [];
    const values = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const before = { ...calls };
      const { trials } = await service.suggest(projectId, experimentId, 1);
      const afterAsk = { ...calls };
      expect(trials).toHaveLength(1);
      values.add(Number(trials[0]!.config.x));
      await completeTrial(graph, projectId, trials[0]!.id, { value: i });
      seen.push({
        ask: { explicit: afterAsk.explicit - before.explicit, statements: afterAsk.statements - before.statements },
        tell: { explicit: calls.explicit - afterAsk.explicit, statements: calls.statements - afterAsk.statements },
      });
    }
    expect(values.size).toBe(4);
    // The first ask also sweeps stale trials and looks up the shared project; every later one reads and writes once.
    for (const s of seen.slice(1)) expect(s).toEqual({ ask: { explicit: 0, statements: 2 }, tell: { explicit: 0, statements: 1 } });
    expect(seen[0]!.tell).toEqual({ explicit: 0, statements: 1 });
  });
});
