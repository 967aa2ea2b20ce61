import { describe, expect, it } from 'vitest';
import { logExpectedImprovement, logH } from '../../optimizers/acquisition/logei.ts';
import { upperConfidenceBound } from '../../optimizers/acquisition/ucb.ts';
import { erfc, erfcx, normCdf, normQuantile } from '../../optimizers/math/normal.ts';

// Independent reference for h(z) = φ(z) + zΦ(z). For z ≤ −1, with x = −z, Laplace's continued fraction for
// the Mills ratio R(x) = Φ(−x)/φ(x) = 1/(x + 1/(x + 2/(x + 3/…))) gives, writing T = x + 1/U and
// U = x + 2/(x + 3/(…)), h = φ(x)(1 − x/T) = φ(x)/(U·T): no subtraction at all, so it is accurate to a
// few ulps even where the naive formula returns 0 or garbage.
function logHReference(z: number): number {
  const logPhi = (t: number) => -0.5 * t * t - 0.5 * Math.log(2 * Math.PI);
  if (z <= -1) {
    const x = -z;
    let tail = x;
    for (let k = 20000; k >= 2; k--) tail = x + k / tail; // = U
    const U = tail;
    const T = x + 1 / U;
    return logPhi(x) - Math.log(U) - Math.log(T);
  }
  // z > −1: Φ from the Maclaurin series of erf (no cancellation for |z/√2| < 3) or from the CF tail.
  let Phi: number;
  if (z < 4) {
    const x = z / Math.SQRT2;
    let term = x;
    let sum = x;
    for (let n = 1; n < 400; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    Phi = 0.5 + sum / Math.sqrt(Math.PI);
  } else {
    let t = z;
    for (let k = 20000; k >= 1; k--) t = z + k / t;
    Phi = 1 - Math.exp(logPhi(z)) / t;
  }
  return Math.log(Math.exp(logPhi(z)) + z * Phi);
}

// log h(z) computed with mpmath at 50 significant digits (mp.npdf(z) + z*mp.ncdf(z)).
const MPMATH: [number, number][] = [
  [-1e5, -5000000023.9447894634],
  [-40, -808.29856835661996024],
  [-10, -55.553122036122355927],
  [-5, -16.744301162660990143],
  [-1.5, -3.5299359208057098515],
  [-1, -2.4851210257126413368],
  [-0.5, -1.6205162643873199193],
  [0, -0.91893853320467274178],
  [1, 0.080026218849306940029],
  [5, 1.6094379231264313851],
  [30, 3.4011973816621553754],
];

describe('log h(z) (log-EI core)', () => {
  it('matches 50-digit mpmath values, including deep in the tail', () => {
    for (const [z, ref] of MPMATH) expect(Math.abs(logH(z) - ref) / Math.max(1, Math.abs(ref))).toBeLessThan(1e-12);
  });

  it('matches the continued-fraction reference on a dense grid from −60 to 8', () => {
    let worst = 0;
    for (let z = -60; z <= 8; z += 0.173) {
      const err = Math.abs(logH(z) - logHReference(z)) / Math.max(1, Math.abs(logHReference(z)));
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThan(1e-11);
  });

  it('is finite and strictly increasing where naive EI underflows to 0', () => {
    const naive = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * normCdf(z);
    expect(naive(-40)).toBe(0);
    let prev = -Infinity;
    for (const z of [-1e8, -1e6, -1e3, -100, -40, -39, -38, -20, -5, -1, 0, 1]) {
      const v = logH(z);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it('log EI handles zero variance and scales with σ', () => {
    expect(logExpectedImprovement(0, 0, 1)).toBeCloseTo(0, 12); // improvement 1, no uncertainty
    expect(logExpectedImprovement(2, 0, 1)).toBe(-Infinity);
    expect(logExpectedImprovement(0, 4, -1)).toBeCloseTo(logH(-0.5) + Math.log(2), 12);
    expect(Number.isFinite(logExpectedImprovement(1e6, 1e-6, 0))).toBe(true);
  });

  it('UCB prefers lower mean and higher variance', () => {
    expect(upperConfidenceBound(0, 1, 4)).toBeGreaterThan(upperConfidenceBound(1, 1, 4));
    expect(upperConfidenceBound(0, 2, 4)).toBeGreaterThan(upperConfidenceBound(0, 1, 4));
  });
});

describe('normal special functions', () => {
  it('erfc/erfcx agree with each other and with known values', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(1)).toBeCloseTo(0.157299207050285130659, 15);
    expect(erfcx(30)).toBeCloseTo(0.018795888861416751, 15);
    for (const x of [0.3, 1.2, 1.99, 2.01, 4, 7]) expect(erfc(x) * Math.exp(x * x)).toBeCloseTo(erfcx(x), 12);
  });
  it('normQuantile inverts normCdf', () => {
    for (const p of [1e-12, 1e-4, 0.02, 0.3, 0.5, 0.9, 0.999999]) expect(normCdf(normQuantile(p)) / p).toBeCloseTo(1, 10);
  });
});
