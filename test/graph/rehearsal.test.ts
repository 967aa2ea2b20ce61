// The warm-up rehearses an ask on a real experiment: its record runs for real in a transaction that
// is rolled back, so the graph is left exactly as it was.
import { describe, expect, it } from 'vitest';
import { readHistorySince } from '../../graph/repositories/history.ts';
import { recordSuggestions } from '../../graph/repositories/suggestions.ts';
import { rehearsal } from '../../graph/tx.ts';
import { commitAndUndo } from '../../graph/repositories/warm-up.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { prepareConfig } from '../../src/services/configs.ts';
import { warmGraph } from '../../src/services/readiness.ts';
import { apiAndGraph } from '../support/api.ts';

const ctx = apiAndGraph();
const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }] as SearchSpace;

describe('a rehearsed write', () => {
  it('runs the record for real and leaves nothing behind; the warm-up that uses it leaves nothing either', async () => {
    const d = await ctx.api.call('POST', '/v1/datasets', { name: 'rehearsal', metaFeatures: { a: 1 } });
    const e = await ctx.api.call('POST', '/v1/experiments', {
      datasetId: d.body.id,
      model: { name: 'rehearsal' },
      searchSpace: space,
      objective: { metric: 'score', direction: 'maximize' },
      warmStart: { mode: 'off' },
    });
    const id = e.body.id as string;
    const projects = [ctx.api.projectId];
    expect((await ctx.api.call('POST', `/v1/experiments/${id}/suggestions`, { count: 1 })).status).toBe(201);
    const before = await readHistorySince(ctx.graph, ctx.api.projectId, id, null, [], projects);
    const { config, hash } = prepareConfig(space, { x: 0.123 });
    const item = { config, configHash: hash, strategy: 'random', reason: null, provenance: {}, sources: [] };
    const rehearsed = await recordSuggestions(rehearsal(ctx.graph), ctx.api.projectId, id, [item], [], projects, { read: { seq: before.eventSeq } });
    // Inside its transaction the record did everything a real one does…
    expect(rehearsed.trials).toHaveLength(1);
    expect(rehearsed.seqAfter).toBe(before.eventSeq + 1);
    // …and none of it stayed.
    await warmGraph(ctx.graph);
    const after = await readHistorySince(ctx.graph, ctx.api.projectId, id, null, [], projects);
    expect(after).toEqual(before);
    const configs = async () => {
      const { records } = await ctx.graph.driver.executeQuery(
        'MATCH (c:Config) WHERE c.key ENDS WITH $suffix RETURN count(c) AS n',
        { suffix: `/${hash}` },
        { database: ctx.graph.database },
      );
      return Number(records[0]!.get('n'));
    };
    expect(await configs()).toBe(0);
    // Its committed writes leave no node either.
    const warmUpId = await commitAndUndo(ctx.graph);
    const { records } = await ctx.graph.driver.executeQuery(
      'MATCH (w:WarmUp {id: $id}) RETURN count(w) AS n',
      { id: warmUpId },
      { database: ctx.graph.database },
    );
    expect(Number(records[0]!.get('n'))).toBe(0);
    // The same record, not rehearsed, stays.
    const real = await recordSuggestions(ctx.graph, ctx.api.projectId, id, [item], [], projects, { read: { seq: before.eventSeq } });
    expect(real.trials).toHaveLength(1);
    expect((await readHistorySince(ctx.graph, ctx.api.projectId, id, null, [], projects)).trials).toHaveLength(2);
    expect(await configs()).toBe(1);
  });
});
