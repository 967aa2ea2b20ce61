import { describe, expect, it } from 'vitest';
import { readHistories, readHistorySince } from '../../graph/repositories/suggestions.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { apiAndGraph } from '../support/api.ts';

const ctx = apiAndGraph();

/** A random-design experiment with `trials` running trials, asked for through the API. */
async function experimentWithRunningTrials(name: string, trials: number): Promise<{ id: string; trialIds: string[] }> {
  const d = await ctx.api.call('POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
  const e = await ctx.api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name },
    searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1, log: false }],
    objective: { metric: 'score', direction: 'maximize' },
    warmStart: { mode: 'off' },
    optimizer: { strategy: 'random' },
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  const trialIds: string[] = [];
  while (trialIds.length < trials) {
    const r = await ctx.api.call('POST', `/v1/experiments/${e.body.id}/suggestions`, { count: Math.min(64, trials - trialIds.length) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    trialIds.push(...r.body.trials.map((t: { id: string }) => t.id));
  }
  return { id: e.body.id, trialIds };
}

const settledWithin = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('history reads under concurrent writes', () => {
  it('wait for a write of the experiment that is committing and then see all of it', async () => {
    const { id, trialIds } = await experimentWithRunningTrials('history-wait', 2);
    const before = (await readHistorySince(ctx.graph, ctx.api.projectId, id, null)).eventSeq;
    // A write that holds the experiment's lock, as every trial change does, and has changed a trial.
    const session = ctx.graph.driver.session({ database: ctx.graph.database });
    const tx = await session.beginTransaction();
    try {
      await tx.run(
        `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial {id: $trialId})
         SET e.lock = true REMOVE e.lock
         SET t.state = 'completed', t.value = 1.0, t.finishedSeq = e.eventSeq + 1, t.changedSeq = e.eventSeq + 1, e.eventSeq = e.eventSeq + 1`,
        { id, trialId: trialIds[0] },
      );
      const delta = readHistorySince(ctx.graph, ctx.api.projectId, id, before);
      const full = readHistories(ctx.graph, [ctx.api.projectId], [id]);
      // Without the lock both reads answer at once with the history before the write; in Neo4j, a
      // read racing the commit itself can then see the new event number without the trial's change.
      expect(await settledWithin(delta, 500)).toBe(false);
      expect(await settledWithin(full, 10)).toBe(false);
      await tx.commit();
      for (const h of [await delta, (await full).get(id)!]) {
        expect(h.eventSeq).toBe(before + 1);
        expect(h.trials.find((t) => t.id === trialIds[0])).toMatchObject({ state: 'completed', value: 1, finishedSeq: before + 1 });
      }
    } finally {
      await session.close();
    }
  });

  it('never miss a change at or before their own event number, with results arriving all the while', async () => {
    // Before history reads took the lock, this found about one read in 150 that missed the trial
    // completed by the latest event (the change was committed, its index entry not yet applied).
    const { id, trialIds } = await experimentWithRunningTrials('history-race', 1200);
    const finishedAt = new Map<string, number>();
    let writing = true;
    const writer = async (lane: number) => {
      for (let i = lane; i < trialIds.length; i += 8) {
        const { event } = await completeTrial(ctx.graph, ctx.api.projectId, trialIds[i]!, { value: i });
        finishedAt.set(trialIds[i]!, event!.seq);
      }
    };
    const reads: { seq: number; since: number | null; finished: Map<string, number | null> }[] = [];
    const reader = async () => {
      let last: number | null = null;
      while (writing) {
        // Mostly the incremental read the suggestion service makes, from just behind the last one.
        const since = last === null || reads.length % 10 === 0 ? null : Math.max(0, last - 1);
        const h = await readHistorySince(ctx.graph, ctx.api.projectId, id, since);
        reads.push({ seq: h.eventSeq, since, finished: new Map(h.trials.map((t) => [t.id, t.finishedSeq])) });
        last = h.eventSeq;
      }
    };
    const readers = Promise.all([reader(), reader(), reader()]);
    await Promise.all(Array.from({ length: 8 }, (_, lane) => writer(lane)));
    writing = false;
    await readers;

    expect(reads.length).toBeGreaterThan(100);
    const missed: string[] = [];
    for (const r of reads) {
      for (const [trialId, seq] of finishedAt) {
        // A read from `since` returns the trials changed at or after it.
        if (seq > r.seq || (r.since !== null && seq < r.since)) continue;
        if (r.finished.get(trialId) !== seq) missed.push(`read at ${r.seq} from ${r.since}: trial finished at ${seq} reads ${r.finished.get(trialId)}`);
      }
    }
    expect(missed).toEqual([]);
  }, 180_000);
});
