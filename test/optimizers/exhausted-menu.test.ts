import { describe, expect, it } from 'vitest';
import type { Observation, SearchSpace } from '../../optimizers/schema.ts';
import { configKey } from '../../optimizers/space.ts';
import { suggest } from '../../optimizers/suggest.ts';

const space: SearchSpace = [
  { name: 'a', type: 'categorical', choices: ['p', 'q', 'r', 's', 't', 'u'] },
  { name: 'b', type: 'int', low: 1, high: 10, log: false },
];
const all = ['p', 'q', 'r', 's', 't', 'u'].flatMap((a) => Array.from({ length: 10 }, (_, i) => ({ a, b: i + 1 })));

describe('a finite space where every configuration has been tried', () => {
  it('re-evaluates finished configurations before repeating one that is being evaluated', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const completed: Observation[] = all.map((config, i) => ({ config, value: Math.sin(i) + (config.a === 'r' ? 2 : 0), state: 'completed' }));
      // The best configurations are already being re-evaluated by other workers.
      const ranked = [...completed].sort((x, y) => (y.value as number) - (x.value as number));
      const pending: Observation[] = ranked.slice(0, 25).map((o) => ({ config: o.config, value: null, state: 'pending' }));
      const out = suggest({ space, direction: 'maximize', observations: [...completed, ...pending], count: 10, seed });
      const busy = new Set(pending.map((o) => configKey(space, o.config)));
      const keys = out.map((s) => configKey(space, s.config));
      expect(out).toHaveLength(10);
      expect(new Set(keys).size).toBe(10);
      for (const k of keys) expect(busy.has(k), `seed ${seed}: ${k} is pending`).toBe(false);
    }
  });
});
