// The optimizer thread's copy of the priors mirrors what the service believes it holds, through any
// sequence of calls and evictions: each call resolves to exactly its priors (the same objects, in
// order), a prior is sent in full only when the thread does not hold it, and the copy stays bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriorExperiment } from '../../optimizers/schema.ts';
import { ResidentPriorsSender, ResidentPriorsStore } from '../../src/workers/resident-priors.ts';

const prior = (i: number): PriorExperiment => ({ id: `p${i}`, direction: 'minimize', space: [], observations: [] });

describe('priors resident in the optimizer thread', () => {
  it('mirrors the sender through random calls, evictions, forgetting and thread restarts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 8 }), fc.constantFrom('restart' as const, 'forget' as const)), {
          maxLength: 40,
        }),
        (capacity, calls) => {
          const pool = Array.from({ length: 12 }, (_, i) => prior(i));
          const sender = new ResidentPriorsSender(capacity);
          let store = new ResidentPriorsStore();
          // The model: priors the thread holds, least recently used first.
          let held: PriorExperiment[] = [];
          for (const call of calls) {
            if (call === 'restart' || call === 'forget') {
              // A new thread holds nothing; a live one told to forget clears what it holds.
              sender.reset();
              if (call === 'restart') store = new ResidentPriorsStore();
              else store.clear();
              held = [];
              continue;
            }
            const priors = call.map((i) => pool[i]!);
            const t = sender.transfer(priors);
            // Sent in full exactly when the thread did not hold it.
            expect(t.add.map((a) => a.prior)).toEqual(priors.filter((p) => !held.includes(p)));
            const got = store.receive(t);
            expect(got).toHaveLength(priors.length);
            got.forEach((p, k) => expect(p).toBe(priors[k]));
            held = [...held.filter((p) => !priors.includes(p)), ...priors];
            held = held.slice(Math.max(0, held.length - Math.max(capacity, priors.length)));
            expect(store.size).toBe(held.length);
          }
        },
      ),
      { numRuns: 300, seed: 26 },
    );
  });

  it('re-sends a prior whose version changed (a new object) and keeps the others resident', () => {
    const a = prior(1);
    const b = prior(2);
    const b2 = { ...b, observations: [{ config: {}, value: 1, state: 'completed' as const }] };
    const sender = new ResidentPriorsSender(10);
    const store = new ResidentPriorsStore();
    expect(store.receive(sender.transfer([a, b]))).toEqual([a, b]);
    const again = sender.transfer([a, b]);
    expect(again.add).toEqual([]);
    expect(store.receive(again)).toEqual([a, b]);
    const changed = sender.transfer([a, b2]);
    expect(changed.add.map((x) => x.prior)).toEqual([b2]);
    expect(store.receive(changed)[1]).toBe(b2);
  });

  it('fails loudly rather than use a prior the thread does not hold', () => {
    expect(() => new ResidentPriorsStore().receive({ order: [3], add: [], drop: [] })).toThrow(/not resident/);
  });
});
