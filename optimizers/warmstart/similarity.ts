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
  return new TargetRanking(y).agreement(pred);
}

/**
 * The target's values prepared for rankingAgreement against many predictions (one per prior).
 * Knight's O(n log n) count instead of visiting every pair: the agreement is checked after every
 * result an initial design receives, against every prior, and a target with a thousand results
 * made the pairwise loop the largest cost of an ask. Counts are integers (halves only at the end),
 * so the answer is bit-for-bit the pairwise one.
 */
export class TargetRanking {
  /** Indices in ascending order of y. */
  private readonly order: Int32Array;
  /** Start of each run of equal y in `order`, then n. */
  private readonly runs: number[] = [];
  /** Pairs with distinct y. */
  readonly pairs: number;
  private readonly finite: boolean;

  constructor(private readonly y: ArrayLike<number>) {
    const n = y.length;
    this.finite = Array.prototype.every.call(y, (v: number) => Number.isFinite(v)) as boolean;
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    let tied = 0;
    if (this.finite) {
      this.order.sort((a, b) => y[a]! - y[b]!);
      for (let i = 0; i < n; ) {
        this.runs.push(i);
        let j = i + 1;
        while (j < n && y[this.order[j]!] === y[this.order[i]!]) j++;
        tied += ((j - i) * (j - i - 1)) / 2;
        i = j;
      }
      this.runs.push(n);
    }
    this.pairs = (n * (n - 1)) / 2 - tied;
  }

  agreement(pred: ArrayLike<number>): number {
    const c = this.counts(pred);
    return c ? agreementOf(c.agree2, c.pairs) : pairwiseAgreement(pred, this.y);
  }

  /**
   * The agreement's integer counts: `agree2` is twice the concordant pairs plus the pairs tied in
   * pred only (twice the agreement's numerator), `pairs` the pairs with distinct y. Undefined when a
   * value is not finite (only the pairwise definition orders those).
   */
  counts(pred: ArrayLike<number>): { agree2: number; pairs: number } | undefined {
    const n = this.y.length;
    if (!this.finite) return undefined;
    for (let i = 0; i < n; i++) if (!Number.isFinite(pred[i]!)) return undefined;
    if (this.pairs === 0) return { agree2: 0, pairs: 0 };
    // In y order, with pred ascending within runs of equal y, a discordant pair is an inversion of pred.
    const seq = new Float64Array(n);
    for (let k = 0; k < n; k++) seq[k] = pred[this.order[k]!]!;
    let tiedBoth = 0;
    for (let r = 0; r + 1 < this.runs.length; r++) {
      const from = this.runs[r]!;
      const to = this.runs[r + 1]!;
      if (to - from < 2) continue;
      const run = seq.subarray(from, to).sort();
      tiedBoth += tiedPairs(run);
    }
    const discordant = countInversions(seq, new Float64Array(n));
    // countInversions left seq sorted: pairs tied in pred are its runs.
    const predOnlyTies = tiedPairs(seq) - tiedBoth;
    const concordant = this.pairs - discordant - predOnlyTies;
    return { agree2: 2 * concordant + predOnlyTies, pairs: this.pairs };
  }
}

/** The agreement from its counts (see TargetRanking.counts); halving an integer is exact. */
export const agreementOf = (agree2: number, pairs: number): number => (pairs > 0 ? agree2 / 2 / pairs : NaN);

/** rankingAgreement of each prediction column (n×P, row-major) with y, the target ranked once. */
export function rankingAgreements(y: Float64Array, preds: Float64Array, P: number): Float64Array {
  const ranking = new TargetRanking(y);
  return columns(y, preds, P, (col) => ranking.agreement(col));
}

/** `f` of each prediction column (n×P row-major). */
export function columns(y: Float64Array, preds: Float64Array, P: number, f: (col: Float64Array, p: number) => number): Float64Array {
  const n = y.length;
  const col = new Float64Array(n);
  const out = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < n; i++) col[i] = preds[i * P + p]!;
    out[p] = f(col, p);
  }
  return out;
}

/** Pairs of equal values in a sorted array. */
function tiedPairs(sorted: Float64Array): number {
  let count = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    count += ((j - i) * (j - i - 1)) / 2;
    i = j;
  }
  return count;
}

/** The definition, pair by pair: kept for input with non-finite values, which have no order to sort by. */
export function pairwiseAgreement(pred: ArrayLike<number>, y: ArrayLike<number>): number {
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

/**
 * Pairs i < j with a[i] > a[j], leaving `a` sorted: a bottom-up merge sort that alternates between
 * `a` and `tmp`, so no level copies back.
 */
function countInversions(a: Float64Array, tmp: Float64Array): number {
  const n = a.length;
  let src = a;
  let dst = tmp;
  let count = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j]! < src[i]!) {
          count += mid - i;
          dst[k++] = src[j++]!;
        } else dst[k++] = src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return count;
}

/** Similarity used for ordering/weighting priors: the average of whichever evidence exists. */
export function combinedSimilarity(meta: number | undefined, perf: number | undefined): number | undefined {
  const parts = [meta, perf].filter((v): v is number => v !== undefined && Number.isFinite(v));
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : undefined;
}
