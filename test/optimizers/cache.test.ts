import { describe, expect, it } from 'vitest';
import { trimMemos, type CachedEntry, type ModelCache } from '../../optimizers/cache.ts';

describe('optimizer memo bounds', () => {
  it('drop the oldest entries of the given kinds beyond the bound and leave every other entry alone', () => {
    const rows = (): CachedEntry => ({ kind: 'rows', values: new Map() });
    const values = (): CachedEntry => ({ kind: 'values', values: new Map() });
    const candidates = (): CachedEntry => ({ kind: 'candidates', list: [], ends: [], seen: new Set(), needsFill: false });
    const cache: ModelCache = new Map<string, CachedEntry>([
      ['loss-rows:1', rows()],
      ['losses:a', values()],
      ['candidates:1', candidates()],
      ['target:s', { kind: 'target', hyper: { lengthscales: [1], signal: 1, noise: 0.1 }, n: 3 }],
      ['mean-rows:2', rows()],
      ['candidates:2', candidates()],
      ['losses:b', values()],
    ]);
    trimMemos(cache, [{ kinds: ['rows', 'candidates'], max: 2 }]);
    expect([...cache.keys()]).toEqual(['losses:a', 'target:s', 'mean-rows:2', 'candidates:2', 'losses:b']);
    trimMemos(cache, [{ kinds: ['values'], max: 1 }]);
    expect([...cache.keys()]).toEqual(['target:s', 'mean-rows:2', 'candidates:2', 'losses:b']);
    trimMemos(cache, [{ kinds: ['rows', 'candidates'], max: 5 }]);
    expect(cache.size).toBe(4);
  });
});
