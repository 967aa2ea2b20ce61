import { describe, expect, it } from 'vitest';
import type { Trial } from '../../graph/model.ts';
import { int } from 'neo4j-driver';
import { HISTORY_SINCE, mergeHistory, readHistory, readHistorySince, type ExperimentHistory } from '../../graph/repositories/history.ts';
import { markStale, recordSuggestions } from '../../graph/repositories/suggestions.ts';
import { completeTrial, createTrials } from '../../graph/repositories/trials.ts';
import { HistoryCopy } from '../../src/services/history-copy.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { prepareConfig } from '../../src/services/configs.ts';
import { buildRequest } from '../../src/services/history.ts';
import { apiAndGraph } from '../support/api.ts';

const ctx = apiAndGraph();

const space = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }] as SearchSpace;

/** An experiment over `space`, warm start off, created through the API. */
async function oneFloatExperiment(dataset: string, model: string): Promise<{ id: string }> {
  const d = await ctx.api.call('POST', '/v1/datasets', { name: dataset, metaFeatures: { a: 1 } });
  const e = await ctx.api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name: model },
    searchSpace: space,
    objective: { metric: 'score', direction: 'maximize' },
    warmStart: { mode: 'off' },
  });
  return e.body;
}

const request = (h: ExperimentHistory) =>
  JSON.stringify(buildRequest(h, new Map(), { seq: h.eventSeq, seed: 7, priors: [], settings: {}, warmStartMode: 'off', batchIndex: 0, batchSize: 2 }, 2));

describe('the incremental history the suggestion service keeps', () => {
  it('equals a full read after every kind of change, including claims and reports that move no event', async () => {
    const d = await ctx.api.call('POST', '/v1/datasets', { name: 'history-cache', metaFeatures: { a: 1 } });
    const e = (
      await ctx.api.call('POST', '/v1/experiments', {
        datasetId: d.body.id,
        model: { name: 'cache' },
        searchSpace: [
          { name: 'x', type: 'float', low: 0, high: 1, log: false },
          { name: 'k', type: 'categorical', choices: ['a', 'b', 'c'] },
        ],
        objective: { metric: 'score', direction: 'maximize' },
        seed: 5,
        warmStart: { mode: 'off' },
      })
    ).body;
    let cached = await readHistory(ctx.graph, ctx.api.projectId, e.id);
    const check = async (what: string) => {
      const delta = await readHistorySince(ctx.graph, ctx.api.projectId, e.id, cached.eventSeq);
      const merged = mergeHistory(cached, delta);
      const full = await readHistory(ctx.graph, ctx.api.projectId, e.id);
      expect(merged, what).toEqual(full);
      expect(request(merged), what).toBe(request(full));
      cached = merged;
    };
    const ask = async (count: number) => {
      const r = await ctx.api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.trials as { id: string; config: Record<string, unknown> }[];
    };

    const first = await ask(3);
    await check('after a batch');
    await ctx.api.call('POST', `/v1/trials/${first[0]!.id}/complete`, { value: 0.5 });
    await ctx.api.call('POST', `/v1/trials/${first[1]!.id}/fail`, { reason: 'oom' });
    await check('after a result and a failure');
    const queued = await ctx.api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { x: 0.25, k: 'b' }, queue: true });
    await check('after queueing a configuration');
    const claimed = await ask(1);
    expect(claimed[0]!.id).toBe(queued.body.id);
    await check('after the queued configuration was claimed (no event)');
    const person = await ctx.api.call('POST', `/v1/experiments/${e.id}/trials`, { config: { x: 0.75, k: 'c' }, value: 0.9 });
    await ctx.api.call('POST', `/v1/trials/${person.body.id}/invalidate`, { reason: 'leak' });
    await check('after a person result and its invalidation');
    expect(await markStale(ctx.graph, ctx.api.projectId, e.id, 0)).toBeGreaterThan(0);
    await check('after the stale sweep');
    const report = await ctx.api.call('POST', `/v1/trials/${first[2]!.id}/report`, { step: 1, value: 0.1 });
    expect(report.body.state).toBe('running');
    await check('after a stale trial reported again (no event)');
    await ctx.api.call('POST', `/v1/trials/${first[2]!.id}/complete`, { value: 0.7 });
    await ask(2);
    await check('after a late result and another batch');
  });
});

describe('an incremental history read', () => {
  it('reads the trials that changed, not every trial of the experiment', async () => {
    const e = await oneFloatExperiment('history-cost', 'cost');
    const old = Array.from({ length: 300 }, (_, i) => {
      const { config, hash } = prepareConfig(space, { x: i / 300 });
      return { config, configHash: hash, state: 'completed' as const, value: i, proposedBy: 'person' as const, strategy: 'manual' };
    });
    await createTrials(ctx.graph, ctx.api.projectId, e.id, old);
    const { eventSeq } = await readHistory(ctx.graph, ctx.api.projectId, e.id);
    const [fresh] = (await ctx.api.call('POST', `/v1/experiments/${e.id}/suggestions`, { count: 1 })).body.trials as { id: string }[];
    const delta = await readHistorySince(ctx.graph, ctx.api.projectId, e.id, eventSeq + 1);
    expect(delta.trials.map((t) => t.id)).toEqual([fresh!.id]);
    // Database hits of the read: a scan of the 300 old trials would cost far more than this bound.
    const res = await ctx.graph.driver.executeQuery(
      `PROFILE ${HISTORY_SINCE}`,
      { id: e.id, projectId: ctx.api.projectId, since: int(eventSeq + 1), priors: { ids: [], projects: [ctx.api.projectId] } },
      { database: ctx.graph.database },
    );
    const hits = (p: { dbHits: number; children: unknown[] }): number => p.dbHits + (p.children as (typeof p)[]).reduce((a, c) => a + hits(c), 0);
    expect(hits(res.summary.profile as unknown as { dbHits: number; children: unknown[] })).toBeLessThan(150);
  });
});

describe("a process's copy of the history, kept by its own writes", () => {
  it('equals a full read after each batch it records and each result it is told, and stops being current at a change it did not see', async () => {
    const e = await oneFloatExperiment('history-copy', 'copy');
    const priorSeqs = { projects: [ctx.api.projectId], asked: new Set<string>(), seqs: new Map<string, number>() };
    const copies = new HistoryCopy();
    copies.read(await readHistory(ctx.graph, ctx.api.projectId, e.id), priorSeqs);
    const record = async (xs: number[]) => {
      const items = xs.map((x) => {
        const { config, hash } = prepareConfig(space, { x });
        return { config, configHash: hash, strategy: 'sobol', reason: null, provenance: { strategy: 'sobol' }, sources: [] };
      });
      const batch = await recordSuggestions(ctx.graph, ctx.api.projectId, e.id, items, [], [ctx.api.projectId], { expectSeq: copies.expectSeq() });
      expect(batch.outdated).toBe(false);
      copies.recorded(batch, priorSeqs, true);
      return batch.trials;
    };
    const tell = async (id: string, value: number) => {
      const { trial, event } = await completeTrial(ctx.graph, ctx.api.projectId, id, { value });
      if (event) copies.told(trial, event);
    };
    const same = async (what: string) => {
      const full = await readHistory(ctx.graph, ctx.api.projectId, e.id);
      expect(copies.usable()?.history, what).toEqual(full);
      expect(request(copies.usable()!.history), what).toBe(request(full));
    };

    const batch = await record([0.1, 0.2, 0.3]);
    await same('after a batch');
    await tell(batch[0]!.id, 0.5);
    await same('after a result');
    await tell(batch[0]!.id, 0.5);
    await same('after the same result again (no event)');
    const [fourth] = await record([0.4]);
    await tell(batch[1]!.id, 0.25);
    await same('after another batch and a result');
    // Two results whose replies come back in the other order than they committed.
    const [a, b] = await record([0.45, 0.55]);
    const first = await completeTrial(ctx.graph, ctx.api.projectId, a!.id, { value: 0.1 });
    const second = await completeTrial(ctx.graph, ctx.api.projectId, b!.id, { value: 0.2 });
    copies.told(second.trial, second.event!);
    expect(copies.usable(), 'waiting for the earlier result').toBeUndefined();
    copies.told(first.trial, first.event!);
    await same('after two results applied out of order');

    // A result told elsewhere: a record computed from the copy writes nothing.
    const expectSeq = copies.expectSeq();
    await completeTrial(ctx.graph, ctx.api.projectId, batch[2]!.id, { value: 1 });
    const { config, hash } = prepareConfig(space, { x: 0.9 });
    const item = { config, configHash: hash, strategy: 'sobol', reason: null, provenance: {}, sources: [] };
    const outdated = await recordSuggestions(ctx.graph, ctx.api.projectId, e.id, [item], [], [ctx.api.projectId], { expectSeq });
    expect(outdated.outdated).toBe(true);
    expect((await readHistory(ctx.graph, ctx.api.projectId, e.id)).trials).toHaveLength(6);
    // The next result told here does not follow the copy's event number: it waits for the change
    // before it, which never comes, and meanwhile the copy is not current.
    await tell(fourth!.id, 0.75);
    expect(copies.usable()).toBeUndefined();
    expect(copies.expectSeq()).toBe(-1);
  });

  it('is not tried after a record from it found the experiment moved on, until a record from a read finds it quiet', () => {
    const history = { experiment: { status: 'running' }, eventSeq: 5, metaFeatures: {}, trials: [] } as unknown as ExperimentHistory;
    const priorSeqs = { projects: [], asked: new Set<string>(), seqs: new Map<string, number>() };
    const batch = (seqBefore: number, written: boolean, outdated = false) => ({
      trials: [],
      indices: [],
      links: { sources: [], configs: [] },
      seqBefore,
      seqAfter: written ? seqBefore + 1 : seqBefore,
      trialCount: 0,
      experimentUpdatedAt: 'now',
      priorSeqs: new Map<string, number>(),
      outdated,
    });
    const copies = new HistoryCopy();
    copies.read(history, priorSeqs);
    expect(copies.usable()?.history.eventSeq).toBe(5);
    copies.recorded(batch(6, false, true), priorSeqs, true);
    expect(copies.usable(), 'after an outdated record').toBeUndefined();
    copies.read({ ...history, eventSeq: 6 }, priorSeqs);
    expect(copies.usable(), 'a read alone').toBeUndefined();
    copies.recorded(batch(7, true), priorSeqs, false);
    expect(copies.usable(), 'a record that found a change between its read and itself').toBeUndefined();
    copies.read({ ...history, eventSeq: 8 }, priorSeqs);
    copies.recorded(batch(8, true), priorSeqs, false);
    expect(copies.usable()?.history.eventSeq, 'a record right after its read').toBe(9);
  });

  it('is not current when a result told here is missing from a read that covered its event', () => {
    const trial = (id: string, finishedSeq: number | null) => ({
      id,
      number: 0,
      config: { x: 0.5 },
      configHash: id,
      state: finishedSeq === null ? 'running' : 'completed',
      value: finishedSeq === null ? null : 1,
      proposedBy: 'optimizer',
      provenance: null,
      createdSeq: 1,
      finishedSeq,
      invalidatedSeq: null,
      staleSeq: null,
    });
    const priorSeqs = { projects: [], asked: new Set<string>(), seqs: new Map<string, number>() };
    const told = (id: string, seq: number) => [{ id, state: 'completed', value: 1 } as Trial, { seq, experimentUpdatedAt: 'now' }] as const;
    const copies = new HistoryCopy();
    // A read at event 4 that shows the result of event 3 and, wrongly, not that of event 4.
    const history = {
      experiment: { status: 'running' },
      eventSeq: 4,
      metaFeatures: {},
      trials: [trial('a', 3), trial('b', null)],
    } as unknown as ExperimentHistory;
    copies.read(history, priorSeqs);
    copies.told(...told('a', 3));
    expect(copies.usable()?.history, 'a result the read has').toBe(history);
    copies.told(...told('b', 4));
    expect(copies.usable(), 'a result the read missed').toBeUndefined();
  });

  it('applies a told result to its own trial after a read that ordered the trials otherwise', () => {
    const trial = (id: string, number: number) => ({
      id,
      number,
      config: { x: number / 10 },
      configHash: id,
      state: 'running',
      value: null as number | null,
      proposedBy: 'optimizer',
      provenance: null,
      createdSeq: 1,
      finishedSeq: null as number | null,
      invalidatedSeq: null,
      staleSeq: null,
    });
    const priorSeqs = { projects: [], asked: new Set<string>(), seqs: new Map<string, number>() };
    const told = (id: string, seq: number, value: number) => [{ id, state: 'completed', value } as Trial, { seq, experimentUpdatedAt: 'now' }] as const;
    const copies = new HistoryCopy();
    const at = (seq: number, trials: ReturnType<typeof trial>[]) =>
      ({ experiment: { status: 'running' }, eventSeq: seq, metaFeatures: {}, trials }) as unknown as ExperimentHistory;
    copies.read(at(1, [trial('a', 0), trial('b', 1), trial('c', 2)]), priorSeqs);
    copies.told(...told('b', 2, 0.5));
    copies.read(at(2, [trial('c', 2), { ...trial('b', 1), state: 'completed', value: 0.5, finishedSeq: 2 }, trial('a', 0)]), priorSeqs);
    copies.told(...told('a', 3, 0.7));
    copies.told(...told('c', 4, 0.9));
    const trials = copies.usable()!.history.trials;
    expect(trials.map((t) => [t.id, t.value, t.finishedSeq])).toEqual([
      ['c', 0.9, 4],
      ['b', 0.5, 2],
      ['a', 0.7, 3],
    ]);
  });
});
