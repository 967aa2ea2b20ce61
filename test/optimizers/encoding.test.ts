import { describe, expect, it } from 'vitest';
import { configKey, Encoder, INACTIVE_NUMERIC, Rng, validateConfig, type Config, type SearchSpace } from '../../optimizers/index.ts';

const space: SearchSpace = [
  { name: 'algo', type: 'categorical', choices: ['svm', 'tree', 'knn'] },
  { name: 'C', type: 'float', low: 1e-3, high: 1e3, log: true, condition: { parent: 'algo', values: ['svm'] } },
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly'], condition: { parent: 'algo', values: ['svm'] } },
  { name: 'gamma', type: 'float', low: 1e-4, high: 10, log: true, condition: { parent: 'kernel', values: ['rbf'] } },
  { name: 'depth', type: 'int', low: 1, high: 20, log: false, condition: { parent: 'algo', values: ['tree'] } },
  { name: 'k', type: 'int', low: 1, high: 64, log: true, condition: { parent: 'algo', values: ['knn'] } },
  { name: 'lr', type: 'float', low: -1, high: 1, log: false },
];

describe('Encoder', () => {
  const enc = new Encoder(space);
  it('lays out one-hot blocks and numeric columns', () => {
    expect(enc.dim).toBe(3 + 1 + 2 + 1 + 1 + 1 + 1);
  });

  it('round-trips random valid configs, including nested conditions', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const u = Array.from({ length: space.length }, () => rng.uniform());
      const c = enc.fromParamUnits(u);
      expect(validateConfig(space, c)).toEqual({ ok: true });
      const back = enc.decode(enc.encode(c));
      expect(configKey(space, back)).toBe(configKey(space, c));
    }
  });

  it('encodes inactive params with the sentinel so they add no distance', () => {
    const a: Config = { algo: 'tree', C: null, kernel: null, gamma: null, depth: 5, k: null, lr: 0 };
    const b: Config = { ...a, depth: 5 };
    const xa = enc.encode(a);
    const xb = enc.encode(b);
    expect(Array.from(xa)).toEqual(Array.from(xb));
    const cBlock = enc.blocks.find((bl) => bl.param.name === 'C')!;
    expect(xa[cBlock.offset]).toBe(INACTIVE_NUMERIC);
    const kBlock = enc.blocks.find((bl) => bl.param.name === 'kernel')!;
    expect(Array.from(xa.subarray(kBlock.offset, kBlock.offset + kBlock.width))).toEqual([0, 0]);
    // values left in inactive params by a sloppy caller are ignored
    expect(Array.from(enc.encode({ ...a, C: 10, gamma: 1 }))).toEqual(Array.from(xa));
  });

  it('maps log params on the log scale and gives every integer equal mass', () => {
    const only: SearchSpace = [{ name: 'n', type: 'int', low: 1, high: 4, log: false }];
    const e = new Encoder(only);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[(e.fromParamUnits([(i + 0.5) / 4000]).n as number) - 1]!++;
    expect(counts).toEqual([1000, 1000, 1000, 1000]);
    const lg = new Encoder([{ name: 'x', type: 'float', low: 1e-4, high: 1, log: true }]);
    expect(lg.encode({ x: 1e-2 })[0]).toBeCloseTo(0.5, 12);
    expect(lg.decode([0.75]).x).toBeCloseTo(0.1, 10);
  });

  it('decodes arbitrary points to valid configs (clamping, rounding, argmax)', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 300; i++) {
      const x = Array.from({ length: enc.dim }, () => rng.uniform() * 3 - 1);
      expect(validateConfig(space, enc.decode(x))).toEqual({ ok: true });
    }
  });
});
