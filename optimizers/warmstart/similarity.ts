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
