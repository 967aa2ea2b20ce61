// How much a prior experiment resembles the target.
//
// Meta-features (Feurer et al. 2015): each feature is min-max normalised over the priors and the target
// together (so no feature dominates by its unit), the distance is the mean absolute difference over the
// features both sides have, and similarity = 1 − distance ∈ [0, 1].
// Performance (once the target has results; no meta-features needed): the fraction of pairs of target
// observations that the prior's model orders the same way as the target did — 1 is perfect agreement,
// ½ is chance, 0 is reversed (Kendall-style agreement, the quantity RGPE's ranking loss also counts).
import type { MetaFeatures } from '../schema.ts';

export type MetaFeatureSimilarity = { id: string; distance: number; similarity: number; features: number };

/** `ranges`: per-feature bounds over a wider population (e.g. every dataset of a project). Without
 * them the bounds come from the target and priors alone, which with few priors makes every
 * difference look maximal. */
export function metaFeatureSimilarities(
  target: MetaFeatures | undefined,
  priors: { id: string; metaFeatures?: MetaFeatures | undefined }[],
  ranges?: ReadonlyMap<string, { lo: number; hi: number }>,
): Map<string, MetaFeatureSimilarity> {
  const out = new Map<string, MetaFeatureSimilarity>();
  if (!target) return out;
  const keys = Object.keys(target).filter((k) => Number.isFinite(target[k]!));
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  for (const [k, r] of ranges ?? []) {
    lo.set(k, r.lo);
    hi.set(k, r.hi);
  }
  const seen = (k: string, v: number | undefined): void => {
    if (v === undefined || !Number.isFinite(v)) return;
    lo.set(k, Math.min(lo.get(k) ?? Infinity, v));
    hi.set(k, Math.max(hi.get(k) ?? -Infinity, v));
  };
  for (const k of keys) {
    seen(k, target[k]);
    for (const p of priors) seen(k, p.metaFeatures?.[k]);
  }
  for (const p of priors) {
    const mf = p.metaFeatures;
    if (!mf) continue;
    let sum = 0;
    let count = 0;
    for (const k of keys) {
      const a = target[k];
      const b = mf[k];
      if (a === undefined || b === undefined || !Number.isFinite(b)) continue;
      const range = (hi.get(k) ?? 0) - (lo.get(k) ?? 0);
      sum += range > 0 ? Math.abs(a - b) / range : 0;
      count++;
    }
    if (count === 0) continue;
    const distance = sum / count;
    out.set(p.id, { id: p.id, distance, similarity: 1 - distance, features: count });
  }
  return out;
}

/** Fraction of target pairs (distinct targets) that `pred` orders like `y`; ties in pred count ½.
 * NaN when no pair has distinct targets. */
export function rankingAgreement(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let agree = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < i; j++) {
      const dy = y[i]! - y[j]!;
      if (dy === 0) continue;
      const dp = pred[i]! - pred[j]!;
      pairs++;
      if (dp === 0) agree += 0.5;
      else if (dp > 0 === dy > 0) agree += 1;
    }
  }
  return pairs > 0 ? agree / pairs : NaN;
}

/** Similarity used for ordering/weighting priors: the average of whichever evidence exists. */
export function combinedSimilarity(meta: number | undefined, perf: number | undefined): number | undefined {
  const parts = [meta, perf].filter((v): v is number => v !== undefined && Number.isFinite(v));
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : undefined;
}

/** Pearson correlation of two equally long samples (NaN when either is constant or n < 2). */
function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Average ranks (ties share their mean rank). */
function ranks(v: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i]! - v[j]! || i - j);
  const out = new Float64Array(v.length);
  for (let a = 0; a < idx.length; ) {
    let b = a;
    while (b + 1 < idx.length && v[idx[b + 1]!] === v[idx[a]!]) b++;
    for (let k = a; k <= b; k++) out[idx[k]!] = (a + b) / 2;
    a = b + 1;
  }
  return out;
}

export type MetaFeatureCheck = { rho: number; pairs: number };

/** Minimum shared configs for two priors' results to be compared, and minimum comparable prior pairs. */
const CHECK_MIN_COMMON = 5;
const CHECK_MIN_PAIRS = 10;

/**
 * Do the meta-features predict which experiments behave alike? Checked on the priors alone (no target
 * data needed): for every pair of priors that evaluated at least CHECK_MIN_COMMON common configs
 * (same key in `scores`), the correlation of their (copula-normalised) results on those configs is
 * compared with the pair's meta-feature similarity; `rho` is the Spearman correlation of the two
 * over the pairs. rho ≤ 0 means that, among the priors, more meta-similar datasets are not more alike in
 * performance, so meta-feature similarity should not decide which priors the target listens to.
 * Undefined when fewer than CHECK_MIN_PAIRS pairs are comparable (too little evidence either way).
 */
export function metaFeatureCheck(
  priors: { id: string; metaFeatures?: MetaFeatures | undefined | null; scores: ReadonlyMap<string, number> }[],
  ranges?: ReadonlyMap<string, { lo: number; hi: number }>,
): MetaFeatureCheck | undefined {
  const withMf = priors.filter((p) => p.metaFeatures && Object.keys(p.metaFeatures).length > 0);
  if (withMf.length < 5) return undefined;
  // One normalisation for every pair: bounds over all priors (and any wider population given).
  const bounds = new Map<string, { lo: number; hi: number }>(ranges ? [...ranges].map(([k, r]) => [k, { ...r }]) : []);
  for (const p of withMf) {
    for (const [k, v] of Object.entries(p.metaFeatures!)) {
      if (!Number.isFinite(v)) continue;
      const b = bounds.get(k);
      if (b) {
        b.lo = Math.min(b.lo, v);
        b.hi = Math.max(b.hi, v);
      } else bounds.set(k, { lo: v, hi: v });
    }
  }
  // Results as dense rows over one index of every config key seen, so a pair is compared in O(configs).
  const keyIndex = new Map<string, number>();
  for (const p of withMf) for (const k of p.scores.keys()) if (!keyIndex.has(k)) keyIndex.set(k, keyIndex.size);
  const K = keyIndex.size;
  const ids = withMf.map((p) => Int32Array.from(p.scores.keys(), (k) => keyIndex.get(k)!));
  const dense = withMf.map((p) => {
    const row = new Float64Array(K).fill(NaN);
    for (const [k, v] of p.scores) row[keyIndex.get(k)!] = v;
    return row;
  });
  const sims: number[] = [];
  const agree: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < withMf.length; i++) {
    const pi = withMf[i]!;
    for (let j = 0; j < i; j++) {
      const pj = withMf[j]!;
      const rowI = dense[i]!;
      const rowJ = dense[j]!;
      a.length = 0;
      b.length = 0;
      for (const k of ids[i]!) {
        const w = rowJ[k]!;
        if (Number.isNaN(w)) continue;
        a.push(rowI[k]!);
        b.push(w);
      }
      if (a.length < CHECK_MIN_COMMON) continue;
      const r = pearson(a, b);
      if (!Number.isFinite(r)) continue;
      let sum = 0;
      let count = 0;
      for (const [k, x] of Object.entries(pi.metaFeatures!)) {
        const y = pj.metaFeatures![k];
        if (y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
        const bd = bounds.get(k)!;
        const range = bd.hi - bd.lo;
        sum += range > 0 ? Math.abs(x - y) / range : 0;
        count++;
      }
      if (count === 0) continue;
      sims.push(1 - sum / count);
      agree.push(r);
    }
  }
  if (sims.length < CHECK_MIN_PAIRS) return undefined;
  const rho = pearson(ranks(sims), ranks(agree));
  return { rho: Number.isFinite(rho) ? rho : 0, pairs: sims.length };
}
