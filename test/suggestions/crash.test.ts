// kill -9 of one of two replicas mid-burst: clients retry each ask with its Idempotency-Key on the
// other replica. Every retry is answered within seconds (the dead process's claims stop beating), a
// retry gets the trials the dead process recorded for it, and no running trial is left to nobody.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { twoReplicas } from '../support/service-process.ts';

const WORKERS = 16;
const ASKS_PER_WORKER = 8;
const ctx = twoReplicas('crash', 'SIGKILL');

async function post(url: string, path: string, body: unknown, key?: string) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.secret}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a replica killed mid-burst', () => {
  it('answers every retry once the dead process’s claims lapse, and orphans no trial', async () => {
    const d = await post(ctx.replicas[0]!.url, '/v1/datasets', { name: 'crash', metaFeatures: { a: 1 } });
    const e = await post(ctx.replicas[0]!.url, '/v1/experiments', {
      name: 'crash',
      datasetId: d.body.id,
      model: { name: 'crash' },
      searchSpace: [
        { name: 'x', type: 'float', low: 0, high: 1 },
        { name: 'y', type: 'float', low: 0, high: 1 },
      ],
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
      optimizer: { nInitial: 8 },
    });
    expect(e.status).toBe(201);
    const id = e.body.id as string;
    const alive = () => ctx.replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const retries: number[] = [];
    const ask = async (worker: number): Promise<{ id: string }[]> => {
      const key = randomUUID();
      let first: number | null = null;
      for (let attempt = 0; ; attempt++) {
        const up = alive();
        const replica = up[(worker + attempt) % up.length]!;
        try {
          const r = await post(replica.url, `/v1/experiments/${id}/suggestions`, { count: 1 }, key);
          if (r.status === 201) {
            if (first !== null) retries.push(Date.now() - first);
            return r.body.trials;
          }
          expect([409, 503], JSON.stringify(r.body)).toContain(r.status);
        } catch {
          // The replica died under the request: retry the same key elsewhere.
        }
        first ??= Date.now();
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const worker = async (w: number) => {
      for (let i = 0; i < ASKS_PER_WORKER; i++) {
        for (const t of await ask(w)) {
          // Completing is idempotent: a tell cut off by the kill is sent again to the other replica.
          for (const value = Math.random(); ; ) {
            const done = await post(alive()[alive().length - 1]!.url, `/v1/trials/${t.id}/complete`, { value }).catch(() => null);
            if (done?.status === 200) break;
          }
        }
      }
    };
    const running = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await ctx.replicas[0]!.stop('SIGKILL');
    await running;

    const res = await ctx.graph.driver.executeQuery(
      'MATCH (t:Trial) WHERE t.experimentId = $id RETURN t.state AS state, count(*) AS n',
      { id },
      { database: ctx.graph.database },
    );
    const states = Object.fromEntries(res.records.map((r) => [r.get('state'), Number(r.get('n'))]));
    expect(states, 'no running trial left to nobody').toEqual({ completed: WORKERS * ASKS_PER_WORKER });
    console.log(`crash: ${retries.length} asks retried after the kill, answered after (ms) ${retries.sort((a, b) => a - b).join(', ')}`);
    // A retry waits for the dead process's claim to stop beating (ABANDONED_AFTER_SECONDS, 4 s), then
    // for the survivor's queue: about 5 s on an idle machine. The bound only catches a claim that is
    // not taken over at all (the old 120 s timeout); the figure itself is printed above.
    expect(Math.max(0, ...retries)).toBeLessThan(30_000);
    const replay = await fetch(`${alive()[0]!.url}/v1/experiments/${id}/replay`, { headers: { authorization: `Bearer ${ctx.secret}` } });
    const report = (await replay.json()) as { mismatches: unknown[]; checked: number };
    expect(report.mismatches).toEqual([]);
    expect(report.checked).toBe(WORKERS * ASKS_PER_WORKER);
  }, 180_000);
});
