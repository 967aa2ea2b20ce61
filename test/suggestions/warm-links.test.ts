import { describe, expect, it } from 'vitest';
import { readHistory, recordSuggestions, type PriorUse } from '../../graph/repositories/suggestions.ts';
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
  it('creates each link at its first use, then updates it when its values change; reports every visible prior asked for, linked or not', async () => {
    const [target, p1, p2, p3] = await Promise.all(['target', 'p1', 'p2', 'p3'].map(experiment));
    const projects = [ctx.api.projectId];
    const asked = [p1!, p2!, p3!];
    const links = async () => {
      const res = await ctx.graph.driver.executeQuery(
        `MATCH (:Experiment {id: $id})-[w:WARM_STARTED_FROM]->(p:Experiment)
         RETURN p.id AS prior, w.similarity AS similarity, w.weight AS weight, toString(w.firstAt) AS firstAt, toString(w.changedAt) AS changedAt, keys(w) AS keys`,
        { id: target },
        { database: ctx.graph.database },
      );
      return new Map(res.records.map((r) => [r.get('prior') as string, r.toObject()]));
    };
    const seqOf = async (id: string) => (await readHistory(ctx.graph, ctx.api.projectId, id)).eventSeq;
    const record = (xs: number[], priors: PriorUse[], priorProjects = projects) =>
      recordSuggestions(ctx.graph, ctx.api.projectId, target!, items(...xs), priors, priorProjects, { priorIds: asked });

    // First use: links to the two priors used; p3 is asked for but not used, so it has no link.
    const first = await record([0.1], [
      { experimentId: p1!, similarity: 0.5, weight: 0.6 },
      { experimentId: p2!, similarity: null, weight: 0.4 },
    ]);
    expect(first.trials).toHaveLength(1);
    expect(Object.fromEntries(first.priorSeqs)).toEqual({ [p1!]: await seqOf(p1!), [p2!]: await seqOf(p2!), [p3!]: await seqOf(p3!) });
    let now = await links();
    expect([...now.keys()].sort()).toEqual([p1!, p2!].sort());
    expect(now.get(p1!)).toMatchObject({ similarity: 0.5, weight: 0.6 });
    expect(now.get(p2!)).toMatchObject({ similarity: null, weight: 0.4 });
    expect([...(now.get(p1!)!.keys as string[])].sort()).toEqual(['changedAt', 'firstAt', 'similarity', 'weight']);
    const firstAt = String(now.get(p1!)!.firstAt);
    expect(now.get(p1!)!.changedAt).toBe(firstAt);
    const p2At = String(now.get(p2!)!.changedAt);

    // p1 moves on (a batch of its own); the next record reports its new event number through the link.
    const before = await seqOf(p1!);
    await recordSuggestions(ctx.graph, ctx.api.projectId, p1!, items(0.9), [], projects);
    expect(await seqOf(p1!)).toBe(before + 1);
    const second = await record([0.2], [{ experimentId: p1!, similarity: 0.7, weight: 0.9 }]);
    expect(second.priorSeqs.get(p1!)).toBe(before + 1);
    expect(second.priorSeqs.size).toBe(3);
    now = await links();
    expect(now.get(p1!)).toMatchObject({ similarity: 0.7, weight: 0.9 });
    expect(now.get(p1!)!.firstAt).toBe(firstAt);
    const p1At = String(now.get(p1!)!.changedAt);
    expect(p1At).not.toBe(firstAt);
    // p2 was not used by this batch: its link keeps its values and their time.
    expect(now.get(p2!)).toMatchObject({ similarity: null, weight: 0.4, changedAt: p2At });

    // The same values again (a null similarity included) leave the links as they are.
    const same = await record([0.4], [
      { experimentId: p1!, similarity: 0.7, weight: 0.9 },
      { experimentId: p2!, similarity: null, weight: 0.4 },
    ]);
    expect(same.trials).toHaveLength(1);
    now = await links();
    expect(now.get(p1!)).toMatchObject({ similarity: 0.7, weight: 0.9, changedAt: p1At });
    expect(now.get(p2!)).toMatchObject({ similarity: null, weight: 0.4, changedAt: p2At });
    // Either value changing is recorded, a similarity becoming null too.
    await record([0.5], [
      { experimentId: p1!, similarity: 0.7, weight: 0.8 },
      { experimentId: p2!, similarity: 0.3, weight: 0.4 },
    ]);
    await record([0.6], [{ experimentId: p2!, similarity: null, weight: 0.4 }]);
    now = await links();
    expect(now.get(p1!)).toMatchObject({ similarity: 0.7, weight: 0.8 });
    expect(now.get(p1!)!.changedAt).not.toBe(p1At);
    expect(now.get(p2!)).toMatchObject({ similarity: null, weight: 0.4 });
    expect(now.get(p2!)!.changedAt).not.toBe(p2At);
    const settled = Object.fromEntries(await links());

    // A batch whose configurations are all pending writes nothing, links included.
    const repeated = await record([0.2], [{ experimentId: p1!, similarity: 0.1, weight: 0.1 }]);
    expect(repeated.trials).toHaveLength(0);
    expect(Object.fromEntries(await links())).toEqual(settled);

    // Priors in projects the caller can no longer see are not reported, linked or not.
    const hidden = await record([0.3], [], ['another-project']);
    expect(hidden.trials).toHaveLength(1);
    expect(hidden.priorSeqs.size).toBe(0);
  });
});
