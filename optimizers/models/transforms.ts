// Output transforms applied before the GP sees the objective (always in minimisation orientation).
// All are monotone increasing, so the incumbent and the ranking of observations are preserved and the
// acquisition can work entirely in transformed units.
//
// standardize: zero mean, unit variance (after dividing by max|y| so 1e300-scale values do not overflow
//   when squared).
// power: Yeo-Johnson with λ maximising the Gaussian profile likelihood, then standardise — tames skewed
//   objectives such as losses spanning decades (HEBO, Cowen-Rivers et al. 2022, uses the same idea).
// copula: Gaussian-copula ranks Φ⁻¹((rank − ½)/n) — scale free; used for priors (their values live on
//   other scales) and as the 'auto' fallback when a power transform cannot remove extreme outliers.
import type { OutputTransformName } from '../schema.ts';
import { normQuantile } from '../math/normal.ts';

export type TransformResult = { values: Float64Array; name: 'standardize' | 'power' | 'copula' | 'constant'; notes: string[] };

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
}

function skewness(v: Float64Array): number {
  const m = mean(v);
  let m2 = 0;
  let m3 = 0;
  for (const x of v) {
    const d = x - m;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= v.length;
  m3 /= v.length;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}

/** Null when the values are constant to within floating-point resolution. */
function standardize(v: ArrayLike<number>): Float64Array | null {
  const n = v.length;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(v[i]!));
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = v[i]! / scale;
  const m = mean(s);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (s[i]! - m) * (s[i]! - m);
  const sd = Math.sqrt(ss / n);
  // Relative spread below ~1e-13 is round-off, not signal.
  if (!(sd > 1e-13 * Math.max(Math.abs(m), 1e-300))) return null;
  for (let i = 0; i < n; i++) s[i] = (s[i]! - m) / sd;
  return s;
}

export function copulaRanks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]! || a - b);
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && v[idx[j + 1]!] === v[idx[i]!]) j++;
    // Ties share their average rank so equal values stay equal.
    const q = normQuantile((0.5 * (i + j) + 0.5) / n);
    for (let k = i; k <= j; k++) out[idx[k]!] = q;
    i = j + 1;
  }
  return out;
}

function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(x) : ((x + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.log1p(-x) : -((1 - x) ** (2 - lambda) - 1) / (2 - lambda);
}

function yeoJohnsonProfileLL(x: Float64Array, lambda: number): number {
  const n = x.length;
  const t = new Float64Array(n);
  let logJac = 0;
  for (let i = 0; i < n; i++) {
    t[i] = yeoJohnson(x[i]!, lambda);
    logJac += Math.sign(x[i]!) * Math.log1p(Math.abs(x[i]!));
  }
  const m = mean(t);
  let v = 0;
  for (const ti of t) v += (ti - m) * (ti - m);
  v /= n;
  if (!(v > 0) || !Number.isFinite(v)) return -Infinity;
  return -0.5 * n * Math.log(v) + (lambda - 1) * logJac;
}

function powerTransform(z: Float64Array): Float64Array | null {
  // Golden-section search for λ on [−2, 4]; the profile likelihood is unimodal in practice.
  const g = (Math.sqrt(5) - 1) / 2;
  let lo = -2;
  let hi = 4;
  let c = hi - g * (hi - lo);
  let d = lo + g * (hi - lo);
  let fc = yeoJohnsonProfileLL(z, c);
  let fd = yeoJohnsonProfileLL(z, d);
  for (let it = 0; it < 40; it++) {
    if (fc > fd) {
      hi = d;
      d = c;
      fd = fc;
      c = hi - g * (hi - lo);
      fc = yeoJohnsonProfileLL(z, c);
    } else {
      lo = c;
      c = d;
      fc = fd;
      d = lo + g * (hi - lo);
      fd = yeoJohnsonProfileLL(z, d);
    }
  }
  const lambda = (lo + hi) / 2;
  const t = z.map((x) => yeoJohnson(x, lambda));
  return t.every(Number.isFinite) ? standardize(t) : null;
}

/** Transform minimisation-oriented finite values for the GP. */
export function transformOutputs(y: ArrayLike<number>, mode: OutputTransformName = 'auto'): TransformResult {
  const notes: string[] = [];
  const n = y.length;
  const z = standardize(y);
  if (!z) {
    if (n > 1) notes.push('objective is constant over the observations; the model is flat');
    return { values: new Float64Array(n), name: 'constant', notes };
  }
  if (mode === 'standardize') return { values: z, name: 'standardize', notes };
  if (mode === 'copula') return { values: copulaRanks(z), name: 'copula', notes };
  const skew = skewness(z);
  if (mode === 'auto' && Math.abs(skew) <= 1) return { values: z, name: 'standardize', notes };
  const p = powerTransform(z);
  if (!p) {
    notes.push('power transform failed; used copula ranks');
    return { values: copulaRanks(z), name: 'copula', notes };
  }
  if (mode === 'auto' && Math.abs(skewness(p)) > 2) {
    // A few points orders of magnitude away (e.g. diverged runs): ranks are the only stable scale.
    return { values: copulaRanks(z), name: 'copula', notes };
  }
  return { values: p, name: 'power', notes };
}
