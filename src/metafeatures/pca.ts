import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from './rng.ts';
import { excessKurtosisFromSums, moments, pow2Scale, skewnessFromSums } from './stats.ts';

/** Covariance costs n·p²/2 multiply-adds; this keeps PCA to about a second. */
const PCA_BUDGET = 2e8;
/** Dense eigendecomposition is O(p³); wider data is PCA'd on a seeded subset of columns. */
export const PCA_MAX_FEATURES = 256;

export interface PcaResult {
  rows: number;
  features: number;
  components95: number;
  fraction95: number;
  skewnessFirstPc?: number;
  kurtosisFirstPc?: number;
  notes: string[];
}

/**
 * PCA on the correlation matrix: numeric features standardized (sample mean, std with
 * n−1), missing cells imputed by the mean (0 after standardizing), constant columns
 * dropped because they carry no variance and cannot be standardized.
 * `columns` are sample columns with NaN for missing; rows are in random order, so any
 * prefix is a uniform subsample.
 */
export function pcaMetaFeatures(columns: readonly Float64Array[], rng: Rng): PcaResult | { skipped: string } {
  const nSample = columns[0]?.length ?? 0;
  if (nSample < 2) return { skipped: 'PCA skipped: fewer than 2 sampled rows' };
  const notes: string[] = [];

  let candidates = columns.filter((c) => hasVariance(c, nSample));
  if (candidates.length === 0) return { skipped: 'PCA skipped: no numeric feature varies in the sample' };
  if (candidates.length > PCA_MAX_FEATURES) {
    const idx = candidates.map((_, i) => i);
    for (let i = 0; i < PCA_MAX_FEATURES; i++) {
      const j = i + Math.floor(rng() * (idx.length - i));
      const tmp = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = tmp;
    }
    const chosen = idx.slice(0, PCA_MAX_FEATURES).sort((a, b) => a - b);
    notes.push(`PCA used a seeded subset of ${PCA_MAX_FEATURES} of ${candidates.length} varying numeric features`);
    candidates = chosen.map((i) => candidates[i]!);
  }

  const pc = candidates.length;
  const n = Math.min(nSample, Math.max(2, Math.floor(PCA_BUDGET / ((pc * (pc + 1)) / 2))));
  const used = candidates.filter((c) => hasVariance(c, n) && standardizable(c, n));
  const p = used.length;
  if (p === 0) return { skipped: 'PCA skipped: no numeric feature varies in the PCA rows' };

  const z = new Float64Array(n * p);
  used.forEach((col, a) => {
    const { sc, mu, sd } = scaledStats(col, n);
    for (let r = 0; r < n; r++) {
      const x = col[r]! * sc;
      z[r * p + a] = !Number.isNaN(x) ? (x - mu) / sd : 0;
    }
  });

  const cov = new Float64Array(p * p);
  for (let r = 0; r < n; r++) {
    const off = r * p;
    for (let a = 0; a < p; a++) {
      const za = z[off + a]!;
      if (za === 0) continue;
      const rowA = a * p;
      for (let b = a; b < p; b++) cov[rowA + b] = cov[rowA + b]! + za * z[off + b]!;
    }
  }
  const m = new Matrix(p, p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const v = cov[a * p + b]! / (n - 1);
      m.set(a, b, v);
      m.set(b, a, v);
    }
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => ({ v: Math.max(0, v), i })).sort((x, y) => y.v - x.v || x.i - y.i);
  const total = order.reduce((s, e) => s + e.v, 0);
  if (!(total > 0)) return { skipped: 'PCA skipped: zero total variance' };

  // Same loop as auto-sklearn's PCAFractionOfComponentsFor95PercentVariance.
  let sum = 0;
  let k95 = 0;
  while (sum < 0.95 && k95 < order.length) {
    sum += order[k95]!.v / total;
    k95++;
  }

  const result: PcaResult = { rows: n, features: p, components95: k95, fraction95: k95 / p, notes };

  const first = evd.eigenvectorMatrix.getColumn(order[0]!.i);
  // Eigenvector sign is arbitrary; fix it (largest |loading| positive, as sklearn's svd_flip)
  // so the first PC's skewness is reproducible.
  let bigI = 0;
  for (let a = 1; a < p; a++) if (Math.abs(first[a]!) > Math.abs(first[bigI]!)) bigI = a;
  const sign = first[bigI]! < 0 ? -1 : 1;
  const scores = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let a = 0; a < p; a++) s += z[r * p + a]! * first[a]!;
    scores[r] = sign * s;
  }
  const mo = moments(scores);
  if (mo.sumSq > 1e-12 * n) {
    result.skewnessFirstPc = skewnessFromSums(mo.n, mo.sumSq, mo.sumCube);
    result.kurtosisFirstPc = excessKurtosisFromSums(mo.n, mo.sumSq, mo.sumQuad);
  } else {
    notes.push('pca_skewness_first_pc / pca_kurtosis_first_pc omitted: first component has no variance');
  }
  return result;
}

function hasVariance(col: Float64Array, n: number): boolean {
  let first = NaN;
  for (let r = 0; r < n; r++) {
    const x = col[r]!;
    if (Number.isNaN(x)) continue;
    if (Number.isNaN(first)) first = x;
    else if (x !== first) return true;
  }
  return false;
}

/** Mean and std (n−1) of the observed values after a power-of-two rescale (see pow2Scale). */
function scaledStats(col: Float64Array, n: number): { sc: number; mu: number; sd: number } {
  let maxAbs = 0;
  for (let r = 0; r < n; r++) {
    const v = Math.abs(col[r]!);
    if (v > maxAbs) maxAbs = v;
  }
  const sc = pow2Scale(maxAbs);
  let s = 0;
  let k = 0;
  for (let r = 0; r < n; r++) {
    const x = col[r]! * sc;
    if (!Number.isNaN(x)) {
      s += x;
      k++;
    }
  }
  const mu = s / k;
  let ss = 0;
  for (let r = 0; r < n; r++) {
    const x = col[r]! * sc;
    if (!Number.isNaN(x)) ss += (x - mu) * (x - mu);
  }
  return { sc, mu, sd: Math.sqrt(ss / Math.max(1, k - 1)) };
}

/** Guards the division in standardization; after rescaling this fails only for pathological columns. */
function standardizable(col: Float64Array, n: number): boolean {
  const { mu, sd } = scaledStats(col, n);
  return Number.isFinite(mu) && sd > 0 && Number.isFinite(sd);
}
