import { describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { readHistorySince } from '../../graph/repositories/history.ts';
import { recordSuggestions } from '../../graph/repositories/suggestions.ts';
import { writeBatchLinks } from '../../graph/repositories/links.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { prepareConfig } from '../../src/services/configs.ts';
import { apiAndGraph } from '../support/api.ts';

const ctx = apiAndGraph();

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }] as SearchSpace;

const items = (n: number, from: number, source: string | null = null) =>
  Array.from({ length: n }, (_, i) => {
    const { config, hash } = prepareConfig(space, { x: (from + i) / 100 });
    return { config, configHash: hash, strategy: 'portfolio', reason: null, provenance: {}, sources: source ? [{ trialId: source, weight: 1 }] : [] };
  });

type Call = { query: string; params: Record<string, unknown> };

/** `graph` with every statement it runs (auto-commit or in a transaction) recorded in `calls`. */
function recording(graph: Graph, calls: Call[]): Graph {
  const wrapRun = <T extends { run: (...a: any[]) => any }>(runner: T): T =>
    new Proxy(runner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as any;
        if (prop === 'run')
          return (query: string, params: Record<string, unknown> = {}) => {
            calls.push({ query, params });
            return v.call(target, query, params);
          };
        if (prop === 'executeWrite' || prop === 'executeRead') return (work: (tx: unknown) => unknown) => v.call(target, (tx: any) => work(wrapRun(tx)));
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  const driver = new Proxy(graph.driver, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'session') return (...args: unknown[]) => wrapRun(v.apply(target, args));
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { ...graph, driver };
}

/**
 * Neo4j 5 keeps a plan per size class of each top-level list parameter (empty, 1, 2–10, 11–100, …),
 * so a statement whose lists follow the load is planned again whenever a batch of a new size class
 * arrives; the record statement takes up to a second of CPU to plan. Measured on 5.26 by running one
 * large statement with lists of growing size: about a second of Neo4j CPU at sizes 0, 2, 11 and 101,
 * 10–30 ms otherwise, and nothing of the kind with the same lists inside a map parameter.
 */
describe('parameters of the suggestion path’s statements', () => {
  it('carry their lists inside one map, whatever the batch size and number of priors, and the batches are recorded', async () => {
    const d = await ctx.api.call('POST', '/v1/datasets', { name: 'plan-cache', metaFeatures: { a: 1 } });
    const ids: string[] = [];
    for (const name of ['target', 'prior']) {
      const e = await ctx.api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: `plan-cache-${name}` },
        searchSpace: space,
        objective: { metric: 'score', direction: 'maximize' },
        warmStart: { mode: 'off' },
      });
      ids.push(e.body.id);
    }
    const [target, prior] = ids as [string, string];
    const priorTrials = await recordSuggestions(ctx.graph, ctx.api.projectId, prior, items(2, 50), [], [ctx.api.projectId]);
    const calls: Call[] = [];
    const spied = recording(ctx.graph, calls);
    let from = 0;
    for (const [n, priors] of [
      [1, 0],
      [3, 1],
      [12, 0],
      [1, 1],
    ] as const) {
      const uses = priors ? [{ experimentId: prior, similarity: 0.5, weight: 1 }] : [];
      const batch = await recordSuggestions(
        spied,
        ctx.api.projectId,
        target,
        items(n, from, priors ? priorTrials.trials[0]!.id : null),
        uses,
        [ctx.api.projectId],
        {
          priorIds: priors ? [prior] : [],
        },
      );
      expect(batch.trials).toHaveLength(n);
      from += n;
      await writeBatchLinks(spied, [ctx.api.projectId], batch.links);
      await readHistorySince(spied, ctx.api.projectId, target, 0, priors ? [prior] : [], [ctx.api.projectId]);
    }
    const history = await readHistorySince(ctx.graph, ctx.api.projectId, target, null);
    expect(history.trials).toHaveLength(17);
    const kinds = new Set(
      calls.map((c) =>
        c.query.includes('changedSeq >= $since')
          ? 'history'
          : c.query.includes('CREATE (t:Trial')
            ? 'record'
            : c.query.includes('SUGGESTED_FROM')
              ? 'links'
              : c.query,
      ),
    );
    expect(kinds).toEqual(new Set(['record', 'history', 'links']));
    for (const c of calls) {
      const lists = Object.entries(c.params)
        .filter(([, v]) => Array.isArray(v))
        .map(([k]) => k);
      expect(lists, c.query.slice(0, 80)).toEqual([]);
    }
  });
});
