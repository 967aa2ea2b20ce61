import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng } from '../../optimizers/index.ts';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds/labels', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Rng(1)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Rng(1)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Rng(2)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(deriveSeed(1, 'x')).not.toBe(deriveSeed(1, 'y'));
    expect(deriveSeed(1, 'x', 0)).toBe(deriveSeed(1, 'x', 0));
  });
  it('produces uniforms in [0,1) with the right moments and standard normals', () => {
    const r = new Rng(123);
    let s = 0;
    let s2 = 0;
    let z2 = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      s += u;
      s2 += u * u;
      z2 += r.normal() ** 2;
    }
    expect(s / N).toBeCloseTo(0.5, 2);
    expect(s2 / N - (s / N) ** 2).toBeCloseTo(1 / 12, 2);
    expect(z2 / N).toBeGreaterThan(0.95);
    expect(z2 / N).toBeLessThan(1.05);
  });
});
