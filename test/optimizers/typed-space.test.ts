// Search spaces as Optuna users write them: typed categorical choices, `step` grids, `log` by default off.
import { describe, expect, it } from 'vitest';
import {
  canonicalConfig,
  checkSpace,
  configKey,
  enumerateSpace,
  finiteSize,
  SearchSpaceSchema,
  suggest,
  validateConfig,
  type Config,
  type SearchSpace,
} from '../../optimizers/index.ts';
import { Encoder } from '../../optimizers/encoding.ts';

const typed: SearchSpace = SearchSpaceSchema.parse([
  { name: 'batch_size', type: 'categorical', choices: [16, 32, 64] },
  { name: 'shuffle', type: 'categorical', choices: [true, false] },
  { name: 'tag', type: 'categorical', choices: ['16', 16, null] },
  { name: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.1 },
  { name: 'units', type: 'int', low: 32, high: 256, step: 32 },
  { name: 'momentum', type: 'float', low: 0.8, high: 0.99, condition: { parent: 'shuffle', values: [true] } },
]);

describe('typed search spaces', () => {
  it('fills log with false and keeps step, and parses choices of every JSON scalar type', () => {
    expect(typed[3]).toEqual({ name: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.1, log: false });
    expect(checkSpace(typed)).toEqual([]);
  });

  it('tells 16 from "16": different choices, different keys, and a hint when only the type is wrong', () => {
    const base: Config = { batch_size: 16, shuffle: false, tag: 16, dropout: 0.2, units: 64, momentum: null };
    expect(validateConfig(typed, base)).toEqual({ ok: true });
    expect(validateConfig(typed, { ...base, tag: '16' })).toEqual({ ok: true });
    expect(validateConfig(typed, { ...base, tag: null })).toEqual({ ok: true });
    expect(configKey(typed, base)).not.toBe(configKey(typed, { ...base, tag: '16' }));
    expect(configKey(typed, base)).not.toBe(configKey(typed, { ...base, tag: null }));
    const wrong = validateConfig(typed, { ...base, batch_size: '32' });
    expect(wrong).toMatchObject({ ok: false, parameter: 'batch_size', reason: expect.stringContaining('did you mean 32?') });
    expect(validateConfig(typed, { ...base, shuffle: 'true' })).toMatchObject({ ok: false, parameter: 'shuffle' });
  });

  it('activates a condition on a boolean parent value', () => {
    const on: Config = { batch_size: 32, shuffle: true, tag: '16', dropout: 0, units: 32, momentum: 0.9 };
    expect(validateConfig(typed, on)).toEqual({ ok: true });
    expect(validateConfig(typed, { ...on, momentum: null })).toMatchObject({ ok: false, parameter: 'momentum' });
    expect(canonicalConfig(typed, { ...on, shuffle: false }).momentum).toBeNull();
  });

  it('accepts only values on the step grid, and snaps round-off to it', () => {
    const base: Config = { batch_size: 16, shuffle: false, tag: 16, dropout: 0.30000000000000004, units: 96, momentum: null };
    expect(validateConfig(typed, base)).toEqual({ ok: true });
    expect(canonicalConfig(typed, base).dropout).toBe(0.3);
    expect(validateConfig(typed, { ...base, dropout: 0.25 })).toMatchObject({ ok: false, parameter: 'dropout', reason: expect.stringContaining('grid') });
    expect(validateConfig(typed, { ...base, units: 100 })).toMatchObject({ ok: false, parameter: 'units', reason: expect.stringContaining('grid') });
  });

  it('rejects a high off the grid with the fix, and step with log', () => {
    const issues = checkSpace(
      SearchSpaceSchema.parse([
        { name: 'a', type: 'float', low: 0, high: 1, step: 0.3 },
        { name: 'b', type: 'float', low: 0.1, high: 1, log: true, step: 0.1 },
        { name: 'c', type: 'int', low: 1, high: 64, log: true, step: 1 },
      ]),
    );
    expect(issues).toEqual([
      { parameter: 'a', reason: expect.stringContaining('use high 0.9') },
      { parameter: 'b', reason: expect.stringContaining('step and log') },
    ]);
  });

  it('counts and enumerates stepped grids', () => {
    const small = SearchSpaceSchema.parse([
      { name: 'x', type: 'float', low: 0, high: 0.5, step: 0.25 },
      { name: 'n', type: 'int', low: 2, high: 8, step: 3 },
      { name: 'flag', type: 'categorical', choices: [true, false, null] },
    ]);
    expect(finiteSize(small)).toBe(3 * 3 * 3);
    const all = enumerateSpace(small);
    expect(all).toHaveLength(27);
    expect(new Set(all.map((c) => c.x))).toEqual(new Set([0, 0.25, 0.5]));
    expect(new Set(all.map((c) => c.n))).toEqual(new Set([2, 5, 8]));
    expect(new Set(all.map((c) => c.flag))).toEqual(new Set([true, false, null]));
  });

  it('encodes typed choices one-hot and decodes them with their type; a decoded step value is on the grid', () => {
    const enc = new Encoder(typed);
    const c: Config = { batch_size: 64, shuffle: true, tag: null, dropout: 0.4, units: 256, momentum: 0.95 };
    const back = enc.decode(enc.encode(c));
    expect(back).toEqual(c);
    for (let i = 0; i < 200; i++) {
      const u = Array.from({ length: typed.length }, (_, k) => (i * 0.618 + k * 0.377) % 1);
      const d = enc.fromParamUnits(u);
      expect(validateConfig(typed, d)).toEqual({ ok: true });
    }
  });

  it('suggests only valid, typed configurations, model-based ones included', () => {
    const observations = [] as { config: Config; value: number; state: 'completed' }[];
    const strategies: string[] = [];
    for (let round = 0; round < 14; round++) {
      const [s] = suggest({ space: typed, direction: 'minimize', observations, count: 1, seed: 7 + round });
      const config = s!.config;
      strategies.push(s!.provenance.strategy);
      expect(validateConfig(typed, config)).toEqual({ ok: true });
      expect(typeof config.batch_size).toBe('number');
      expect(typeof config.shuffle).toBe('boolean');
      const value = (config.dropout as number) + (config.batch_size === 32 ? 0 : 1) + (config.units as number) / 1000;
      observations.push({ config, value, state: 'completed' });
    }
    expect(strategies.slice(-3)).toEqual(['gp-bo', 'gp-bo', 'gp-bo']);
  });
});
