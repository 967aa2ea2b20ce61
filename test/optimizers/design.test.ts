import { describe, expect, it } from 'vitest';
import { SobolSequence } from '../../optimizers/design/sobol.ts';
import { latinHypercube } from '../../optimizers/design/lhs.ts';
import { uniformPoints } from '../../optimizers/design/random.ts';

describe('Sobol', () => {
  it('unscrambled sequence matches the Joe–Kuo reference (as produced by SciPy qmc.Sobol(scramble=False))', () => {
    const s = new SobolSequence(5, null);
    const ref = [
      [0, 0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25, 0.75],
      [0.25, 0.75, 0.75, 0.75, 0.25],
      [0.375, 0.375, 0.625, 0.875, 0.375],
      [0.875, 0.875, 0.125, 0.375, 0.875],
      [0.625, 0.125, 0.875, 0.625, 0.625],
      [0.125, 0.625, 0.375, 0.125, 0.125],
    ];
    ref.forEach((r, i) => expect(Array.from(s.point(i))).toEqual(r));
    // a high dimension / index spot check (SciPy: row 1000, dims 30..39)
    const t = new SobolSequence(40, null);
    expect(Array.from(t.point(1000).subarray(30))).toEqual([
      0.1474609375, 0.1455078125, 0.2958984375, 0.5927734375, 0.8017578125, 0.7705078125, 0.8486328125, 0.8310546875, 0.3076171875, 0.4794921875,
    ]);
  });

  it('scrambled points keep the (0, m, 2)-net property in the first two dimensions and are seed-dependent', () => {
    const m = 6;
    const N = 2 ** m;
    const s = new SobolSequence(4, 42);
    const pts = s.points(0, N);
    // every elementary box [a/2^k, (a+1)/2^k) × [b/2^(m-k), (b+1)/2^(m-k)) holds exactly one point
    for (let k = 0; k <= m; k++) {
      const seen = new Set<string>();
      for (const p of pts) seen.add(`${Math.floor(p[0]! * 2 ** k)},${Math.floor(p[1]! * 2 ** (m - k))}`);
      expect(seen.size).toBe(N);
    }
    expect(Array.from(s.point(3))).toEqual(Array.from(new SobolSequence(4, 42).point(3)));
    expect(Array.from(s.point(3))).not.toEqual(Array.from(new SobolSequence(4, 43).point(3)));
    expect(pts.every((p) => p.every((v) => v >= 0 && v < 1))).toBe(true);
  });
});

describe('Latin hypercube and uniform designs', () => {
  it('LHS uses every stratum once per dimension', () => {
    const n = 17;
    const pts = latinHypercube(n, 3, 7);
    for (let d = 0; d < 3; d++) expect(new Set(pts.map((p) => Math.floor(p[d]! * n))).size).toBe(n);
  });
  it('uniform point k does not depend on the window that asked for it', () => {
    expect(Array.from(uniformPoints(3, 2, 5, 10)[2]!)).toEqual(Array.from(uniformPoints(1, 2, 5, 12)[0]!));
  });
});
