// RGPE — ranking-weighted Gaussian process ensemble (Feurer, Letham, Hutter & Bakshy 2018, "Scalable
// Meta-Learning for Bayesian Optimization using Ranking-Weighted Gaussian Process Ensembles").
//
// Every prior's GP and the target's GP are scored by how many pairs of target observations they
// mis-order (ranking loss); the target GP is scored on leave-one-out predictions, otherwise it would
// trivially interpolate itself. The loss is recomputed on bootstrap resamples of the target points, and a
// model's weight is the fraction of resamples in which it has the lowest loss (ties split at random).
// So weights reflect both how well and how reliably a model ranks the target, and shift to the target GP
// as its own data accumulate. Negative-transfer guard ("weight dilution", §4.2 of the paper): a prior
// whose median loss exceeds the 95th percentile of the target model's losses gets weight 0. With dozens of
// priors that guard alone lets chance winners through (some random ranking always beats a young target
// model on a few resamples), so a prior must also order the target's pairs better than chance at about
// two standard errors of Kendall's τ under independence, with n taken from the number of comparable
// pairs. Priors with no such evidence keep weight 0 until the data speak for them.
//   mean(x) = Σ w_m μ_m(x),  var(x) = Σ w_m² σ²_m(x)
import type { BatchMode } from '../schema.ts';
import type { Rng } from '../random.ts';
import type { GaussianProcess, Prediction } from '../models/gp.ts';
import { fantasyFrom, type LiarValues, type ModelSummary, type Surrogate } from '../models/surrogate.ts';

export type RgpeWeightResult = {
  /** One per prior (same order as the inputs) followed by the target's weight. */
  weights: number[];
  /** Priors cut by the dilution guard. */
  discarded: boolean[];
  /** Median bootstrap ranking loss per model (same layout as weights), as a fraction of pairs. */
  medianLoss: number[];
};

/** Discordance per unordered pair (i > j): 0, ½ (prediction tie) or 1; pairs with equal y are skipped. */
function discordance(pred: ArrayLike<number>, y: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p++) {
      const dy = y[i]! - y[j]!;
      if (dy === 0) continue;
      const dp = pred[i]! - pred[j]!;
      out[p] = dp === 0 ? 0.5 : dp > 0 === dy > 0 ? 0 : 1;
    }
  }
  return out;
}

const pairCount = (n: number) => (n * (n - 1)) / 2;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function rgpeWeights(args: {
  /** Each prior model's mean at the target points. */
  priorPredictions: ArrayLike<number>[];
  /** Target model leave-one-out means at the target points (null: no target model). */
  targetLoo: ArrayLike<number> | null;
  y: ArrayLike<number>;
  samples: number;
  rng: Rng;
  /** Standard errors above chance a prior's pair agreement must reach (default 2; 0 disables). */
  minAgreementZ?: number;
}): RgpeWeightResult {
  const n = args.y.length;
  const models = [...args.priorPredictions, ...(args.targetLoo ? [args.targetLoo] : [])];
  const M = models.length;
  const D = models.map((m) => discordance(m, args.y, n));
  const S = args.samples;
  const losses: number[][] = models.map(() => new Array<number>(S));
  const counts = new Int32Array(n);
  const idx: number[] = [];
  // Discordances of four models at a time, interleaved by pair (a missing fourth is all zeros): one
  // pass over a resample's pairs sums four models, 1.7× faster than a pass per model.
  const groups: Float64Array[] = [];
  for (let g = 0; 4 * g < M; g++) {
    const Dg = new Float64Array(4 * pairCount(n));
    for (let k = 0; k < 4 && 4 * g + k < M; k++) {
      const Dm = D[4 * g + k]!;
      for (let p = 0; p < Dm.length; p++) Dg[4 * p + k] = Dm[p]!;
    }
    groups.push(Dg);
  }
  // The resample's pairs (i > j, both drawn, y differing) and their multiplicities c_i·c_j, listed
  // once per resample and shared by every model. Every term d·c_i·c_j is a multiple of ½ far below
  // 2^53, so each model's sum is exact and does not depend on the order of the terms.
  const pairAt = new Int32Array(pairCount(n));
  const pairMult = new Float64Array(pairCount(n));
  for (let s = 0; s < S; s++) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[args.rng.int(n)]!++;
    idx.length = 0;
    for (let i = 0; i < n; i++) if (counts[i]! > 0) idx.push(i);
    let totalPairs = 0;
    let np = 0;
    for (let a = 0; a < idx.length; a++) {
      const i = idx[a]!;
      const ci = counts[i]!;
      const row = (i * (i - 1)) / 2;
      for (let b = 0; b < a; b++) {
        const j = idx[b]!; // j < i because idx is increasing
        if (args.y[i] === args.y[j]) continue;
        const w = ci * counts[j]!;
        totalPairs += w;
        pairAt[np] = row + j;
        pairMult[np++] = w;
      }
    }
    for (let g = 0; g < groups.length; g++) {
      const Dg = groups[g]!;
      let l0 = 0;
      let l1 = 0;
      let l2 = 0;
      let l3 = 0;
      for (let q = 0; q < np; q++) {
        const o = 4 * pairAt[q]!;
        const w = pairMult[q]!;
        l0 += Dg[o]! * w;
        l1 += Dg[o + 1]! * w;
        l2 += Dg[o + 2]! * w;
        l3 += Dg[o + 3]! * w;
      }
      const sums = [l0, l1, l2, l3];
      for (let k = 0; k < 4 && 4 * g + k < M; k++) losses[4 * g + k]![s] = totalPairs > 0 ? sums[k]! / totalPairs : 0.5;
    }
  }
  const medianLoss = losses.map((l) =>
    quantile(
      [...l].sort((a, b) => a - b),
      0.5,
    ),
  );
  const P = args.priorPredictions.length;
  const discarded = args.priorPredictions.map(() => false);
  const z = args.minAgreementZ ?? 2;
  let pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (args.y[i] !== args.y[j]) pairs++;
  if (z > 0 && pairs > 0) {
    const nEff = (1 + Math.sqrt(1 + 8 * pairs)) / 2;
    const se = nEff > 1 ? 0.5 * Math.sqrt((2 * (2 * nEff + 5)) / (9 * nEff * (nEff - 1))) : 0.5;
    for (let m = 0; m < P; m++) {
      let loss = 0;
      for (const d of D[m]!) loss += d;
      if (1 - loss / pairs <= 0.5 + z * se) discarded[m] = true;
    }
  }
  if (args.targetLoo) {
    const t95 = quantile(
      [...losses[M - 1]!].sort((a, b) => a - b),
      0.95,
    );
    for (let m = 0; m < P; m++) if (medianLoss[m]! > t95) discarded[m] = true;
  }
  // Weights: how often each surviving model has the lowest loss on a resample (ties split at random).
  const wins = new Float64Array(M);
  const tied: number[] = [];
  for (let s = 0; s < S; s++) {
    let bestLoss = Infinity;
    tied.length = 0;
    for (let m = 0; m < M; m++) {
      if (m < P && discarded[m]) continue;
      const l = losses[m]![s]!;
      if (l < bestLoss) {
        bestLoss = l;
        tied.length = 0;
        tied.push(m);
      } else if (l === bestLoss) tied.push(m);
    }
    if (tied.length > 0) wins[tied[args.rng.int(tied.length)]!]! += 1;
  }
  let total = 0;
  for (const w of wins) total += w;
  const weights = Array.from(wins, (w) => (total > 0 ? w / total : 0));
  if (!args.targetLoo) weights.push(0);
  if (!(total > 0)) weights[weights.length - 1] = 1;
  return { weights, discarded, medianLoss: args.targetLoo ? medianLoss : [...medianLoss, NaN] };
}

export type EnsembleMember = { id: string; gp: GaussianProcess; weight: number; isTarget: boolean };

export class RgpeSurrogate implements Surrogate {
  readonly incumbent: number;

  constructor(
    private readonly members: EnsembleMember[],
    private readonly targetX: Float64Array,
    private readonly targetN: number,
    private readonly liar: LiarValues,
    private readonly base: ModelSummary,
  ) {
    // Incumbent on the ensemble's own scale: its mean at the points the target actually evaluated.
    const mu = this.predict(targetX, targetN, false).mean;
    let best = Infinity;
    for (const v of mu) best = Math.min(best, v);
    this.incumbent = targetN > 0 ? best : 0;
  }

  predict(Q: Float64Array, m: number, wantVariance = true): Prediction {
    const mean = new Float64Array(m);
    const variance = new Float64Array(m);
    for (const mem of this.members) {
      if (!(mem.weight > 0)) continue;
      const p = mem.gp.predict(Q, m, wantVariance);
      const w = mem.weight;
      for (let j = 0; j < m; j++) {
        mean[j] = mean[j]! + w * p.mean[j]!;
        variance[j] = variance[j]! + w * w * p.variance[j]!;
      }
    }
    return { mean, variance };
  }

  fantasyValue(x: Float64Array, mode: BatchMode): number {
    // The fantasy is a target observation, so it is expressed in the target model's units.
    const target = this.members.find((m) => m.isTarget);
    return fantasyFrom(mode, this.liar, () => (target ? target.gp.predict(x, 1, false).mean[0]! : 0));
  }

  condition(x: Float64Array, y: number): Surrogate {
    const members = this.members.map((m) => {
      if (!m.isTarget) return m;
      const next = m.gp.condition(x, y);
      return next ? { ...m, gp: next } : m;
    });
    const D = x.length;
    const X2 = new Float64Array((this.targetN + 1) * D);
    X2.set(this.targetX.subarray(0, this.targetN * D));
    X2.set(x, this.targetN * D);
    return new RgpeSurrogate(members, X2, this.targetN + 1, this.liar, this.base);
  }

  summary(): ModelSummary {
    return this.base;
  }
}
