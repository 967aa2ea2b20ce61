import { describe, expect, it } from 'vitest';
import { Lru, ModelCache } from '../../optimizers/cache.ts';

describe('optimizer memo bounds', () => {
  it('keep the most recently used entries of each kind, each kind within its own bound', () => {
    const lru = new Lru<string, number>(3);
    for (const [k, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      lru.set(k, v);
    // Reading an entry makes it the most recent: the next one in drops the least recently used.
    expect(lru.get('a')).toBe(1);
    lru.set('d', 4);
    expect([...lru.keys()]).toEqual(['c', 'a', 'd']);
    lru.set('c', 30);
    lru.set('e', 5);
    expect([...lru.keys()]).toEqual(['d', 'c', 'e']);
    expect(lru.get('a')).toBeUndefined();

    const cache = new ModelCache({ rows: 2, candidates: 1 });
    for (const k of ['r1', 'r2', 'r3']) cache.rows.set(k, new Map());
    cache.candidates.set('c1', { list: [], ends: [], seen: new Set(), needsFill: false });
    cache.candidates.set('c2', { list: [], ends: [], seen: new Set(), needsFill: true });
    for (const k of ['v1', 'v2', 'v3']) cache.values.set(k, new Map());
    expect([...cache.rows.keys()]).toEqual(['r2', 'r3']);
    expect([...cache.candidates.keys()]).toEqual(['c2']);
    // Other kinds keep their default bounds.
    expect(cache.values.size).toBe(3);
  });
});
