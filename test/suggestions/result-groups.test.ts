import { describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError, NotFoundError } from '../../graph/errors.ts';
import { readHistorySince } from '../../graph/repositories/history.ts';
import { completeTrials, type CompleteOutcome } from '../../graph/repositories/trials.ts';
import { ResultWriter } from '../../src/services/results.ts';
import { apiAndGraph } from '../support/api.ts';
import { experimentWithRunningTrials } from '../support/running-trials.ts';

const ctx = apiAndGraph();

/** A random-design experiment with `n` running trials. */
async function running(name: string, n: number): Promise<{ id: string; trials: string[] }> {
  const { id, trialIds } = await experimentWithRunningTrials(ctx.api, name, n);
  return { id, trials: trialIds };
}

const seqOf = (o: CompleteOutcome | undefined) => (o && 'trial' in o ? o.event?.seq : undefined);

/** `graph` whose statements are counted, and whose first statement for several results fails when `failGroup` is set. */
function watched(graph: Graph, opts: { failGroup?: boolean } = {}): { graph: Graph; statements: { items: number }[] } {
  const statements: { items: number }[] = [];
  let failed = false;
  const driver = new Proxy(graph.driver, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as any;
      if (prop !== 'session') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        const session = v.apply(target, args);
        return new Proxy(session, {
          get(s, p, r) {
            const sv = Reflect.get(s, p, r) as any;
            if (p !== 'run') return typeof sv === 'function' ? sv.bind(s) : sv;
            return (query: string, params: { batch?: { items?: unknown[] } } = {}) => {
              const items = params.batch?.items?.length ?? 0;
              statements.push({ items });
              if (opts.failGroup && !failed && items > 1) {
                failed = true;
                throw new Error('injected failure of a combined write');
              }
              return sv.call(s, query, params);
            };
          },
        });
      };
    },
  });
  return { graph: { ...graph, driver }, statements };
}

describe('results told together (completeTrials, ResultWriter)', () => {
  it('gives each result of a group what completing it alone gives, across experiments, in order', async () => {
    const a = await running('group-a', 4);
    const b = await running('group-b', 2);
    const failed = await ctx.api.call('POST', `/v1/trials/${a.trials[3]}/fail`, { reason: 'oom' });
    expect(failed.status).toBe(200);
    const seqA = (await readHistorySince(ctx.graph, ctx.api.projectId, a.id, null)).eventSeq;
    const seqB = (await readHistorySince(ctx.graph, ctx.api.projectId, b.id, null)).eventSeq;

    const out = await completeTrials(ctx.graph, ctx.api.projectId, [
      { id: a.trials[0]!, value: 0.5 },
      { id: b.trials[0]!, value: 0.7, metrics: { loss: 1 } },
      { id: a.trials[1]!, value: 0.9 },
      { id: '00000000-0000-4000-8000-000000000000', value: 1 },
      { id: a.trials[0]!, value: 0.5 },
      { id: a.trials[1]!, value: 0.1 },
      { id: a.trials[3]!, value: 0.2 },
      { id: b.trials[1]!, value: 0.3 },
    ]);

    expect(out).toHaveLength(8);
    // Each experiment's events follow in the order given, one per result that changed something.
    expect([seqOf(out[0]), seqOf(out[2])]).toEqual([seqA + 1, seqA + 2]);
    expect([seqOf(out[1]), seqOf(out[7])]).toEqual([seqB + 1, seqB + 2]);
    expect(out[3]).toEqual({ error: expect.any(NotFoundError) });
    // The same result again is unchanged; a different one, or one for a failed trial, is a conflict.
    expect(out[4]).toMatchObject({ changed: false, trial: { value: 0.5, state: 'completed' } });
    expect(out[4]).not.toHaveProperty('event');
    expect(out[5]).toEqual({ error: expect.any(ConflictError) });
    expect(String((out[5] as { error: Error }).error.message)).toContain('already completed with value 0.9');
    expect(String((out[6] as { error: Error }).error.message)).toContain('is failed');
    expect(out[1]).toMatchObject({ changed: true, trial: { state: 'completed', value: 0.7, metrics: { loss: 1 } } });

    const histA = await readHistorySince(ctx.graph, ctx.api.projectId, a.id, null);
    expect(histA.eventSeq).toBe(seqA + 2);
    const finished = new Map(histA.trials.map((t) => [t.id, t]));
    expect(finished.get(a.trials[0]!)).toMatchObject({ state: 'completed', value: 0.5, finishedSeq: seqA + 1 });
    expect(finished.get(a.trials[1]!)).toMatchObject({ state: 'completed', value: 0.9, finishedSeq: seqA + 2 });
    expect(finished.get(a.trials[3]!)).toMatchObject({ state: 'failed' });
    const detail = await ctx.api.call('GET', `/v1/experiments/${a.id}`);
    expect(detail.body.counts).toMatchObject({ completed: 2, failed: 1, running: 1 });
    expect(detail.body.bestTrial).toMatchObject({ id: a.trials[1], value: 0.9 });
    // A conflict or an unknown id changed nothing of anyone.
    const trial1 = await ctx.api.call('GET', `/v1/trials/${a.trials[1]}`);
    expect(trial1.body).toMatchObject({ state: 'completed', value: 0.9 });
  });

  it('writes results that arrive while a write is running together, each with its own event', async () => {
    const e = await running('group-concurrent', 24);
    const before = (await readHistorySince(ctx.graph, ctx.api.projectId, e.id, null)).eventSeq;
    const { graph, statements } = watched(ctx.graph);
    const writer = new ResultWriter(graph);
    const done = await Promise.all(e.trials.map((id, i) => writer.complete(ctx.api.projectId, id, { value: i / 24 })));
    expect(done.every((d) => d.changed && d.trial.state === 'completed')).toBe(true);
    expect(done.map((d) => d.trial.value)).toEqual(e.trials.map((_, i) => i / 24));
    // One event per result, none shared, none skipped.
    expect(done.map((d) => d.event!.seq).sort((x, y) => x - y)).toEqual(e.trials.map((_, i) => before + 1 + i));
    // The first went alone; the others waited for it and went together.
    expect(statements.map((s) => s.items)).toEqual([1, 23]);
    const hist = await readHistorySince(ctx.graph, ctx.api.projectId, e.id, null);
    expect(hist.eventSeq).toBe(before + 24);
    expect(hist.trials.filter((t) => t.state === 'completed')).toHaveLength(24);
  });

  it('writes each result alone when a combined write fails, so only the one at fault fails', async () => {
    const e = await running('group-fallback', 5);
    const { graph, statements } = watched(ctx.graph, { failGroup: true });
    const writer = new ResultWriter(graph);
    const first = writer.complete(ctx.api.projectId, e.trials[0]!, { value: 0.1 });
    const rest = [
      writer.complete(ctx.api.projectId, e.trials[1]!, { value: 0.2 }),
      writer.complete(ctx.api.projectId, e.trials[0]!, { value: 0.3 }),
      writer.complete(ctx.api.projectId, e.trials[2]!, { value: 0.4 }),
    ].map((p) =>
      p.then(
        (d) => d.trial.value,
        (err: unknown) => err,
      ),
    );
    expect((await first).trial.value).toBe(0.1);
    const settled = await Promise.all(rest);
    expect(settled[0]).toBe(0.2);
    expect(settled[1]).toBeInstanceOf(ConflictError);
    expect(settled[2]).toBe(0.4);
    // Alone, the failed group, then each of its three alone.
    expect(statements.map((s) => s.items)).toEqual([1, 3, 1, 1, 1]);
  });

  it('answers each tell of a concurrent burst over HTTP: 200, 409 for a second different value, 404 for an unknown trial', async () => {
    const e = await running('group-http', 12);
    const calls = [
      ...e.trials.map((id, i) => ctx.api.call('POST', `/v1/trials/${id}/complete`, { value: i })),
      ctx.api.call('POST', `/v1/trials/${e.trials[0]}/complete`, { value: 99 }),
      ctx.api.call('POST', '/v1/trials/00000000-0000-4000-8000-000000000000/complete', { value: 1 }),
    ];
    const res = await Promise.all(calls);
    expect(res.slice(0, 12).map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(res.slice(0, 12).map((r) => r.body.value)).toEqual(e.trials.map((_, i) => i));
    expect(res[12]!.status).toBe(409);
    expect(res[12]!.body.error ?? res[12]!.body.message).toBeDefined();
    expect(res[13]!.status).toBe(404);
    const detail = await ctx.api.call('GET', `/v1/experiments/${e.id}`);
    expect(detail.body.counts).toMatchObject({ completed: 12 });
    expect(detail.body.bestTrial).toMatchObject({ id: e.trials[11], value: 11 });
  });
});
