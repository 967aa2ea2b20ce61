import { describe, expect, it } from 'vitest';
import type { ConfigMemo } from '../../optimizers/cache.ts';
import { TargetMemo } from '../../optimizers/target-memo.ts';
import { Encoder } from '../../optimizers/encoding.ts';
import { Rng } from '../../optimizers/random.ts';
import type { Observation, SearchSpace } from '../../optimizers/schema.ts';
import { prepareTarget, type TargetData } from '../../optimizers/target.ts';

const space: SearchSpace = [
  { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'depth', type: 'int', low: 1, high: 8, log: false },
  { name: 'act', type: 'categorical', choices: ['relu', 'tanh'] },
];

/** A config memo that counts its look-ups, filled the way suggest()'s validation fills it. */
function countingMemo(): { memo: ConfigMemo; gets: () => number; remember: (o: Observation) => Observation } {
  const inner: ConfigMemo = new WeakMap();
  let gets = 0;
  const memo = {
    get: (k: object) => {
      gets++;
      return inner.get(k);
    },
    set: (k: object, v: never) => inner.set(k, v),
    has: (k: object) => inner.has(k),
    delete: (k: object) => inner.delete(k),
  } as unknown as ConfigMemo;
  const remember = (o: Observation) => {
    if (!inner.has(o.config)) inner.set(o.config, { parsed: o.config, bySpace: new Map() });
    return o;
  };
  return { memo, gets: () => gets, remember };
}

function observations(n: number, seed: number, remember: (o: Observation) => Observation): Observation[] {
  const rng = new Rng(seed);
  const rand = () => rng.uniform();
  return Array.from({ length: n }, (_, i) => {
    const config = { lr: 10 ** (-4 * rand()), depth: 1 + Math.floor(rand() * 8), act: rand() < 0.5 ? 'relu' : 'tanh' };
    const state = i % 7 === 3 ? 'failed' : i % 5 === 4 ? 'pending' : 'completed';
    return remember({ config, state, value: state === 'completed' ? rand() : null } as Observation);
  });
}

/** Everything prepareTarget hands on, with the memo entries compared by identity. */
function expectSame(warm: TargetData, cold: TargetData): void {
  const plain = (t: TargetData) => ({
    ...t,
    X: [...t.X],
    y: [...t.y],
    keys: [...t.keys],
    pendingX: t.pendingX.map((x) => [...x]),
    rowMemos: t.rowMemos.length,
  });
  expect(plain(warm)).toEqual(plain(cold));
  warm.rowMemos.forEach((m, i) => expect(m).toBe(cold.rowMemos[i]));
}

describe('prepareTarget with the experiment cache (CachedPrepared)', () => {
  it('gives what a call without it gives, through appends, replacements, removals and reorders, looking up only what changed', () => {
    const { memo, gets, remember } = countingMemo();
    const encoder = new Encoder(space);
    const cache = new TargetMemo();
    let list = observations(60, 1, remember);
    const steps: [string, (l: Observation[]) => Observation[], number][] = [
      ['first call', (l) => l, 60],
      ['three appended', (l) => [...l, ...observations(3, 2, remember)], 3],
      ['a pending one completed (new object, same config)', (l) => l.map((o, i) => (i === 4 ? remember({ ...o, state: 'completed', value: 0.25 }) : o)), 1],
      ['one removed from the middle', (l) => l.filter((_, i) => i !== 30), 63 - 1 - 30],
      ['reversed', (l) => [...l].reverse(), 62],
      ['unchanged', (l) => l, 0],
    ];
    for (const [label, change, lookups] of steps) {
      list = change(list);
      const before = gets();
      const warm = prepareTarget(encoder, 'maximize', list, memo, cache);
      expect(gets() - before, label).toBe(lookups);
      expectSame(warm, prepareTarget(encoder, 'maximize', list, memo));
    }
  });

  it('keeps the last space only: a different space looks everything up, and so does going back', () => {
    const { memo, gets, remember } = countingMemo();
    const cache = new TargetMemo();
    const list = observations(20, 3, remember);
    const narrow = new Encoder(space.slice(0, 2));
    prepareTarget(new Encoder(space), 'minimize', list, memo, cache);
    const before = gets();
    expectSame(prepareTarget(narrow, 'minimize', list, memo, cache), prepareTarget(narrow, 'minimize', list, memo));
    expect(gets() - before).toBe(40);
    // The config memo still holds each configuration's encoding in both spaces: found, not recomputed.
    const back = gets();
    expectSame(prepareTarget(new Encoder(space), 'minimize', list, memo, cache), prepareTarget(new Encoder(space), 'minimize', list, memo));
    expect(gets() - back).toBe(40);
  });
});
