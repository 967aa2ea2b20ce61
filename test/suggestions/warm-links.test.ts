import { describe, expect, it } from 'vitest';
import { readHistory } from '../../graph/repositories/history.ts';
import { recordSuggestions, type PriorUse } from '../../graph/repositories/suggestions.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { prepareConfig } from '../../src/services/configs.ts';
import { apiAndGraph } from '../support/api.ts';

const ctx = apiAndGraph();

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }] as SearchSpace;

async function experiment(name: string): Promise<string> {
  const d = await ctx.api.call('POST', '/v1/datasets', { name: `warm-links-${name}`, metaFeatures: { a: 1 } });
  const e = await ctx.api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name: 'warm-links' },
    searchSpace: space,
    objective: { metric: 'score', direction: 'maximize' },
    warmStart: { mode: 'off' },
  });
  return e.body.id;
}

const items = (...xs: number[]) =>
  xs.map((x) => {
    const { config, hash } = prepareConfig(space, { x });
    return { config, configHash: hash, strategy: 'portfolio', reason: null, provenance: {}, sources: [] };
  });

describe('recording a batch: WARM_STARTED_FROM and the priors’ event numbers', () => {
  it('creates each link at its first use, then updates it; reports every visible prior asked for, linked or not', async () => {
    const [target, p1, p2, p3] = await Promise.all(['target', 'p1', 'p2', 'p3'].map(experiment));
    const projects = [ctx.api.projectId];
    const asked = [p1!, p2!, p3!];
    const links = async () => {
      const res = await ctx.graph.driver.executeQuery(
        `MATCH (:Experiment {id: $id})-[w:WARM_STARTED_FROM]->(p:Experiment)
         RETURN p.id AS prior, w.similarity AS similarity, w.weight AS weight, w.uses AS uses, w.firstAt AS firstAt, w.lastAt AS lastAt`,
        { id: target },
        { database: ctx.graph.database },
      );
      return new Map(res.records.map((r) => [r.get('prior') as string, r.toObject()]));
    };
    const seqOf = async (id: string) => (await readHistory(ctx.graph, ctx.api.projectId, id)).eventSeq;
    const record = (xs: number[], priors: PriorUse[], priorProjects = projects) =>
      recordSuggestions(ctx.graph, ctx.api.projectId, target!, items(...xs), priors, priorProjects, { priorIds: asked });

    // First use: links to the two priors used; p3 is asked for but not used, so it has no link.
    const first = await record(
      [0.1],
      [
        { experimentId: p1!, similarity: 0.5, weight: 0.6 },
        { experimentId: p2!, similarity: null, weight: 0.4 },
      ],
    );
    expect(first.trials).toHaveLength(1);
    expect(Object.fromEntries(first.priorSeqs)).toEqual({ [p1!]: await seqOf(p1!), [p2!]: await seqOf(p2!), [p3!]: await seqOf(p3!) });
    let now = await links();
    expect([...now.keys()].sort()).toEqual([p1!, p2!].sort());
    expect(now.get(p1!)).toMatchObject({ similarity: 0.5, weight: 0.6, uses: 1 });
    expect(now.get(p2!)).toMatchObject({ similarity: null, weight: 0.4, uses: 1 });
    const firstAt = String(now.get(p1!)!.firstAt);

    // p1 moves on (a batch of its own); the next record reports its new event number through the link.
    const before = await seqOf(p1!);
    await recordSuggestions(ctx.graph, ctx.api.projectId, p1!, items(0.9), [], projects);
    expect(await seqOf(p1!)).toBe(before + 1);
    const second = await record([0.2], [{ experimentId: p1!, similarity: 0.7, weight: 0.9 }]);
    expect(second.priorSeqs.get(p1!)).toBe(before + 1);
    expect(second.priorSeqs.size).toBe(3);
    now = await links();
    expect(now.get(p1!)).toMatchObject({ similarity: 0.7, weight: 0.9, uses: 2 });
    expect(String(now.get(p1!)!.firstAt)).toBe(firstAt);
    expect(String(now.get(p1!)!.lastAt) >= firstAt).toBe(true);
    expect(now.get(p2!)).toMatchObject({ uses: 1 });

    // A use that knows no similarity (transfer-BO weighs priors by their predictions) keeps the one recorded.
    await record([0.25], [{ experimentId: p1!, similarity: null, weight: 0.3 }]);
    expect((await links()).get(p1!)).toMatchObject({ similarity: 0.7, weight: 0.3, uses: 3 });

    // A batch whose configurations are all pending writes nothing, links included.
    const repeated = await record([0.2], [{ experimentId: p1!, similarity: 0.1, weight: 0.1 }]);
    expect(repeated.trials).toHaveLength(0);
    expect((await links()).get(p1!)).toMatchObject({ similarity: 0.7, uses: 3 });

    // Priors in projects the caller can no longer see are not reported, linked or not.
    const hidden = await record([0.3], [], ['another-project']);
    expect(hidden.trials).toHaveLength(1);
    expect(hidden.priorSeqs.size).toBe(0);
  });
});
