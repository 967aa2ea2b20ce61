import { describe, expect, it } from 'vitest';
import { canonicalConfig, checkSpace, configKey, configsEqual, enumerateSpace, finiteSize, validateConfig, type SearchSpace } from '../../optimizers/index.ts';

const svmLike: SearchSpace = [
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly', 'linear'] },
  { name: 'C', type: 'float', low: 0.03125, high: 64, log: true },
  { name: 'gamma', type: 'float', low: 1e-4, high: 1000, log: true, condition: { parent: 'kernel', values: ['rbf'] } },
  { name: 'degree', type: 'int', low: 2, high: 10, log: false, condition: { parent: 'kernel', values: ['poly'] } },
];

describe('checkSpace', () => {
  it('accepts a valid conditional space', () => {
    expect(checkSpace(svmLike)).toEqual([]);
  });
  it('reports parents that are not earlier categoricals, bad bounds and log with low <= 0', () => {
    const issues = checkSpace([
      { name: 'a', type: 'float', low: 1, high: 0, log: false },
      { name: 'b', type: 'float', low: 0, high: 1, log: true },
      { name: 'c', type: 'int', low: 0, high: 3, log: false, condition: { parent: 'd', values: ['x'] } },
      { name: 'd', type: 'categorical', choices: ['x'] },
      { name: 'e', type: 'int', low: 0, high: 3, log: false, condition: { parent: 'a', values: ['x'] } },
    ]);
    expect(issues.map((i) => i.parameter)).toEqual(['a', 'b', 'c', 'e']);
  });
});

describe('validateConfig', () => {
  it('accepts configs with inactive params null', () => {
    expect(validateConfig(svmLike, { kernel: 'rbf', C: 1, gamma: 0.1, degree: null })).toEqual({ ok: true });
    expect(validateConfig(svmLike, { kernel: 'linear', C: 1, gamma: null, degree: null })).toEqual({ ok: true });
  });
  it('names the parameter and the reason on failure', () => {
    expect(validateConfig(svmLike, { kernel: 'linear', C: 1, gamma: 0.1, degree: null })).toMatchObject({
      ok: false,
      parameter: 'gamma',
      reason: expect.stringContaining('inactive'),
    });
    expect(validateConfig(svmLike, { kernel: 'poly', C: 1, gamma: null, degree: 2.5 })).toMatchObject({ ok: false, parameter: 'degree' });
    expect(validateConfig(svmLike, { kernel: 'poly', C: 100, gamma: null, degree: 2 })).toMatchObject({
      ok: false,
      parameter: 'C',
      reason: expect.stringContaining('outside'),
    });
    expect(validateConfig(svmLike, { kernel: 'sigmoid', C: 1, gamma: null, degree: null })).toMatchObject({ ok: false, parameter: 'kernel' });
    expect(validateConfig(svmLike, { kernel: 'rbf', C: 1, degree: null })).toMatchObject({
      ok: false,
      parameter: 'gamma',
      reason: expect.stringContaining('missing'),
    });
    expect(validateConfig(svmLike, { kernel: 'linear', C: 1, gamma: null, degree: null, extra: 1 })).toMatchObject({ ok: false, parameter: 'extra' });
  });
});

describe('canonical form and de-dup keys', () => {
  it('rounds ints, trims float noise, nulls inactive params, orders by the space', () => {
    const c = canonicalConfig(svmLike, { degree: 3.4, gamma: 5, C: Math.exp(Math.log(0.1)), kernel: 'poly' });
    expect(c).toEqual({ kernel: 'poly', C: 0.1, gamma: null, degree: 3 });
    expect(Object.keys(c)).toEqual(['kernel', 'C', 'gamma', 'degree']);
  });
  it('equal configs share a key regardless of key order and round-off; different ones do not', () => {
    const a = { kernel: 'rbf', C: 0.1, gamma: 1, degree: null };
    const b = { gamma: 1.0000000000001, degree: null, C: 0.1 + 1e-17, kernel: 'rbf' };
    expect(configsEqual(svmLike, a, b)).toBe(true);
    expect(configKey(svmLike, a)).toBe(configKey(svmLike, b));
    expect(configsEqual(svmLike, a, { ...a, C: 0.1001 })).toBe(false);
    // an inactive value does not make two configs different
    expect(configsEqual(svmLike, { kernel: 'linear', C: 1, gamma: null, degree: null }, { kernel: 'linear', C: 1, gamma: 3, degree: 4 })).toBe(true);
    expect(canonicalConfig(svmLike, { kernel: 'rbf', C: -0, gamma: 1, degree: null }).C).toBe(0);
  });
});

describe('finite spaces', () => {
  it('counts and enumerates conditional discrete spaces', () => {
    const space: SearchSpace = [
      { name: 'k', type: 'categorical', choices: ['a', 'b'] },
      { name: 'x', type: 'int', low: 1, high: 3, log: false, condition: { parent: 'k', values: ['a'] } },
      { name: 'y', type: 'categorical', choices: ['u', 'v'] },
    ];
    // k=a: 3 x-values × 2 y; k=b: 2 y
    expect(finiteSize(space)).toBe(8);
    const all = enumerateSpace(space);
    expect(all).toHaveLength(8);
    expect(new Set(all.map((c) => configKey(space, c))).size).toBe(8);
    for (const c of all) expect(validateConfig(space, c)).toEqual({ ok: true });
    expect(finiteSize(svmLike)).toBe(Infinity);
  });
});
