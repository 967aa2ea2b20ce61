// The one batching shape behind asks, results and deferred edges: per key one group at a time, in
// arrival order, items arriving meanwhile grouped, handed-back items first in the next group, and a
// throwing group failed as a whole without stopping the key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../../src/services/coalescing-queue.ts';

type Item = { key: string; id: number; retries: number; reject: (err: unknown) => void };

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('coalescing queue', () => {
  it('serves each key one group at a time in arrival order, handed-back items first, each item settled once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), retry: fc.boolean(), boom: fc.integer({ min: 0, max: 4 }), pause: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 5 }),
        async (arrivals, maxGroup) => {
          const busy = new Set<string>();
          let overlap = false;
          const groups: { key: string; items: Item[]; handedBack: Item[] }[] = [];
          const outcome = new Map<number, string[]>();
          const settle = (id: number, how: string) => outcome.set(id, [...(outcome.get(id) ?? []), how]);
          const queue = new CoalescingQueue<Item>({
            take: (waiting) => Math.min(waiting.length, maxGroup),
            serve: async (key, group, handBack) => {
              if (busy.has(key)) overlap = true;
              busy.add(key);
              await tick();
              busy.delete(key);
              const record = { key, items: group.slice(), handedBack: [] as Item[] };
              groups.push(record);
              // A group holding an item that fails on its first try (boom 0) throws as a whole.
              if (group.some((i) => i.retries === 0 && arrivals[i.id]!.boom === 0)) throw new Error('boom');
              record.handedBack = group.filter((i) => i.retries === 0 && arrivals[i.id]!.retry).map((i) => ({ ...i, retries: 1 }));
              for (const i of group) if (!record.handedBack.some((r) => r.id === i.id)) settle(i.id, 'served');
              handBack(record.handedBack);
            },
          });
          for (const [id, a] of arrivals.entries()) {
            queue.push(a.key, { key: a.key, id, retries: 0, reject: () => settle(id, 'failed') });
            if (a.pause) await tick();
          }
          while (queue.activeKeys > 0) await tick();
          expect(overlap).toBe(false);
          // Each item is settled exactly once.
          for (const id of arrivals.keys()) expect(outcome.get(id)).toHaveLength(1);
          for (const key of ['a', 'b', 'c']) {
            const mine = groups.filter((g) => g.key === key);
            for (const g of mine) {
              expect(g.items.every((i) => i.key === key)).toBe(true);
              expect(g.items.length).toBeLessThanOrEqual(maxGroup);
            }
            // First tries come in arrival order; items handed back lead the next group.
            const firsts = mine.flatMap((g) => g.items.filter((i) => i.retries === 0).map((i) => i.id));
            expect(firsts).toEqual([...arrivals.entries()].filter(([, a]) => a.key === key).map(([id]) => id));
            mine.forEach((g, k) => {
              if (g.handedBack.length === 0) return;
              const lead = mine[k + 1]!.items.slice(0, g.handedBack.length).map((i) => i.id);
              expect(lead).toEqual(g.handedBack.map((i) => i.id).slice(0, lead.length));
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('serves an item that arrives while its key is idle at once and alone, and groups those that arrive meanwhile', async () => {
    const groups: number[][] = [];
    const queue = new CoalescingQueue<{ id: number; reject: () => void }>({
      serve: async (_key, group) => {
        groups.push(group.map((i) => i.id));
        await tick();
      },
    });
    queue.push('k', { id: 1, reject: () => {} });
    // Synchronously started: the first group is already taken.
    expect(groups).toEqual([[1]]);
    for (const id of [2, 3, 4]) queue.push('k', { id, reject: () => {} });
    queue.push('other', { id: 9, reject: () => {} });
    expect(groups).toEqual([[1], [9]]);
    while (queue.activeKeys > 0) await tick();
    expect(groups).toEqual([[1], [9], [2, 3, 4]]);
  });
});
