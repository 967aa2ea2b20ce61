/**
 * Moment conventions: population (biased) skewness g1 = m3 / m2^1.5 and excess
 * kurtosis g2 = m4 / m2^2 − 3, with m_k the k-th central moment using 1/n. These are
 * scipy.stats.skew/kurtosis defaults, which auto-sklearn's meta-features use, and
 * unlike the bias-corrected versions they are defined from n = 2 on.
 * Callers must exclude zero-variance data (the ratios are 0/0 there).
 */
export function skewnessFromSums(n: number, sumSq: number, sumCube: number): number {
  return (Math.sqrt(n) * sumCube) / sumSq ** 1.5;
}

export function excessKurtosisFromSums(n: number, sumSq: number, sumQuad: number): number {
  return (n * sumQuad) / (sumSq * sumSq) - 3;
}

export interface Moments {
  n: number;
  mean: number;
  /** Sums of squared / cubed / 4th-power deviations from the mean. */
  sumSq: number;
  sumCube: number;
  sumQuad: number;
}

/** Two-pass central moment sums over a finite array (used on in-memory sample data). */
export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = n > 0 ? s / n : 0;
  let sumSq = 0;
  let sumCube = 0;
  let sumQuad = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    sumSq += d2;
    sumCube += d2 * d;
    sumQuad += d2 * d2;
  }
  return { n, mean, sumSq, sumCube, sumQuad };
}

/** min/max/mean/population std of a non-empty list; the usual aggregation of a per-feature meta-feature. */
export function aggregate(values: readonly number[]): { min: number; max: number; mean: number; std: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  // Rescale before squaring so e.g. per-feature stds of 1e200 do not overflow the variance.
  const sc = pow2Scale(Math.max(Math.abs(min), Math.abs(max)));
  const ms = mean * sc;
  let ss = 0;
  for (const v of values) ss += (v * sc - ms) * (v * sc - ms);
  return { min, max, mean, std: Math.sqrt(ss / values.length) / sc };
}

/** Shannon entropy in bits of a count vector (zero counts ignored). */
export function entropyBits(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  let h = 0;
  for (const c of counts) {
    if (c > 0) {
      const p = c / total;
      h -= p * Math.log2(p);
    }
  }
  // -0 and tiny negative rounding would read oddly in a stored profile.
  return h > 0 ? h : 0;
}

/**
 * Power of two that brings |x| near 1. Moments are scale-invariant, and multiplying by a
 * power of two is exact, so rescaling first keeps squares/cubes/4th powers of values like
 * 1e300 or 1e-300 from overflowing or underflowing without changing any result.
 */
export function pow2Scale(absX: number): number {
  if (!(absX > 0) || !Number.isFinite(absX)) return 1;
  const e = Math.floor(Math.log2(absX));
  return 2 ** -Math.max(-1000, Math.min(1000, e));
}
