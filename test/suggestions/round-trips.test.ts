import type { FastifyInstance } from 'fastify';
import type { Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { ensureProject, SHARED_PROJECT } from '../../graph/repositories/projects.ts';
import { readHistory } from '../../graph/repositories/history.ts';
import { buildApp } from '../../src/app.ts';
import { testGraph } from '../support/graph.ts';

/**
 * The hot path's cost on the wire: an explicit transaction is three requests to Neo4j (BEGIN, RUN,
 * COMMIT), a single statement in its own transaction is one. Once the service's copy of the history
 * is current, an ask is one write statement and a tell another.
 */
let graph: Graph;
let other: Graph;
let app: FastifyInstance;
let otherProcess: FastifyInstance;
let secret: string;
let projectId: string;
const calls = { explicit: 0, statements: 0 };
beforeAll(async () => {
  graph = testGraph();
  other = testGraph();
  const open = graph.driver.session.bind(graph.driver);
  graph.driver.session = ((...args: Parameters<typeof open>) => {
    const session: Session = open(...args);
    for (const m of ['executeRead', 'executeWrite', 'beginTransaction'] as const) {
      const real = session[m].bind(session) as (...a: unknown[]) => unknown;
      (session as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
        calls.explicit++;
        return real(...a);
      };
    }
    const run = session.run.bind(session);
    session.run = ((...a: Parameters<typeof run>) => {
      calls.statements++;
      return run(...a);
    }) as typeof session.run;
    return session;
  }) as typeof graph.driver.session;
  ({ secret, projectId } = await createKey(graph, `round-trips-${Date.now()}`, 'test'));
  // Cached lookups that expire (the API key, the shared project while it is absent) would add a
  // read to whichever request comes after their time: keep them out of the counts.
  await ensureProject(graph, SHARED_PROJECT);
  app = await buildApp({ graph, logger: { level: 'error' }, authCacheSeconds: 3600 });
  // A second service on the same database: another process, with its own copies and caches.
  otherProcess = await buildApp({ graph: other, logger: { level: 'error' } });
});
afterAll(async () => {
  await app.close();
  await otherProcess.close();
  await graph.close();
  await other.close();
});

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }];
const call = async (via: FastifyInstance, url: string, payload: unknown) => {
  const res = await via.inject({ method: 'POST', url, headers: { authorization: `Bearer ${secret}` }, payload: payload as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};
const newExperiment = async (name: string) => {
  const d = await call(app, '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await call(app, '/v1/experiments', {
    datasetId: d.id,
    model: { name: 'rt' },
    searchSpace: space,
    objective: { metric: 'loss', direction: 'minimize' },
    seed: 1,
    warmStart: { mode: 'off' },
  });
  return e.id as string;
};
const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; explicit: number; statements: number }> => {
  const before = { ...calls };
  const result = await work();
  return { result, explicit: calls.explicit - before.explicit, statements: calls.statements - before.statements };
};

describe('round trips per ask and tell', () => {
  it('asks with one write statement and tells with another once the copy of the history is current; no explicit transaction', async () => {
    const id = await newExperiment('rt');
    const seen: { ask: number[]; tell: number[] }[] = [];
    const values = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const ask = await counted(() => call(app, `/v1/experiments/${id}/suggestions`, { count: 1 }));
      const trial = ask.result.trials[0];
      values.add(trial.config.x);
      const tell = await counted(() => call(app, `/v1/trials/${trial.id}/complete`, { value: i }));
      seen.push({ ask: [ask.explicit, ask.statements], tell: [tell.explicit, tell.statements] });
    }
    expect(values.size).toBe(4);
    // The first ask also sweeps stale trials, looks up the shared project and reads the history.
    for (const s of seen.slice(1)) expect(s).toEqual({ ask: [0, 1], tell: [0, 1] });
    expect(seen[0]!.tell).toEqual([0, 1]);
  });

  it('sees a result told and a configuration queued through another process at the next ask', async () => {
    const id = await newExperiment('rt-other');
    const first = (await call(app, `/v1/experiments/${id}/suggestions`, { count: 2 })).trials;
    await call(app, `/v1/trials/${first[0].id}/complete`, { value: 0.5 });
    // Told elsewhere: this service's copy does not have it, and its next ask must.
    await call(otherProcess, `/v1/trials/${first[1].id}/complete`, { value: 0.25 });
    const seq = (await readHistory(graph, projectId, id)).eventSeq;
    const next = await counted(() => call(app, `/v1/experiments/${id}/suggestions`, { count: 1 }));
    expect(next.result.trials[0].provenance.snapshot.seq).toBe(seq);
    // The record from the copy found the experiment moved on and wrote nothing; then a read and a record.
    expect([next.explicit, next.statements]).toEqual([0, 3]);
    await call(app, `/v1/trials/${next.result.trials[0].id}/complete`, { value: 0.75 });
    // Its second record (from the read) found nothing between the read and the write: the copy serves again.
    const again = await counted(() => call(app, `/v1/experiments/${id}/suggestions`, { count: 1 }));
    expect([again.explicit, again.statements]).toEqual([0, 1]);
    await call(app, `/v1/trials/${again.result.trials[0].id}/complete`, { value: 0.9 });

    const queued = await call(otherProcess, `/v1/experiments/${id}/trials`, { config: { x: 0.125 }, queue: true });
    const claimed = (await call(app, `/v1/experiments/${id}/suggestions`, { count: 1 })).trials[0];
    expect(claimed.id).toBe(queued.id);
    expect(claimed.config).toEqual({ x: 0.125 });
  });
});
