// Greedy portfolio (auto-sklearn 2.0, Feurer et al. 2022, after Xu et al.'s portfolio construction):
// without meta-features there is no "nearest dataset", so pick configs that *together* do well across
// all priors. Candidates are each prior's top configs; the loss of a set on prior p is its best member's
// normalised rank there, and configs are added one by one to maximise the weighted reduction of
// Σ_p w_p·loss_p. Configs the target already tried count as members, so the portfolio complements them;
// once the target has results, w_p comes from how well prior p ranks them, so the design drifts towards
// the priors that predict this target.
//
// Performance of a candidate on a prior is the prior's own result when it evaluated that config (exact
// look-up on the shared parameters — the common case for tabular benchmarks and re-used menus) and its
// GP's mean otherwise; both are copula scores, mapped through Φ to a rank-like loss in [0, 1].
import type { Config } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import { rememberedValues, spaceKey, type ModelCache } from '../cache.ts';
import { normCdf } from '../math/normal.ts';
import { configKey } from '../space.ts';
import { mapConfig, sharedKey, type ProjectedPrior } from './project.ts';
import { priorModel } from './prior-models.ts';

export type PortfolioCandidate = { config: Config; key: string; prior: ProjectedPrior; row: number };

export function portfolioCandidates(
  encoder: Encoder,
  priors: ProjectedPrior[],
  perPrior: number,
  fill: (slot: number) => ArrayLike<number>,
): PortfolioCandidate[] {
  const out: PortfolioCandidate[] = [];
  const seen = new Set<string>();
  let slot = 0;
  for (let r = 0; r < perPrior; r++) {
    for (const prior of priors) {
      if (r >= prior.n) continue;
      const row = prior.order[r]!;
      const config = mapConfig(encoder, new Set(prior.shared), prior.configs[row]!, fill(slot++));
      const key = configKey(encoder.space, config);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ config, key, prior, row });
    }
  }
  return out;
}

/**
 * Loss matrix (configs × priors, row-major), each entry in [0, 1], lower is better. With a cache, each
 * prior's losses are remembered by config key: a long initial design asks for the same candidates
 * and tried configs again at every step, and a remembered loss equals a recomputed one.
 */
export function lossMatrix(encoder: Encoder, configs: Config[], priors: ProjectedPrior[], cache: ModelCache | undefined): Float64Array {
  const C = configs.length;
  const P = priors.length;
  const D = encoder.dim;
  const out = new Float64Array(C * P);
  const keys = configs.map((c) => configKey(encoder.space, c));
  const space = spaceKey(encoder.space);
  priors.forEach((prior, p) => {
    const memo = rememberedValues(cache, `losses:${prior.hash}:${space}`);
    const shared = new Set(prior.shared);
    const missing: number[] = [];
    configs.forEach((c, i) => {
      const known = memo.get(keys[i]!);
      const v = known === undefined ? prior.lookup.get(sharedKey(encoder.space, shared, c)) : undefined;
      if (known !== undefined) out[i * P + p] = known;
      else if (v === undefined) missing.push(i);
      else memo.set(keys[i]!, (out[i * P + p] = normCdf(v)));
    });
    if (missing.length === 0) return;
    const fit = priorModel(prior, cache);
    const Q = new Float64Array(missing.length * D);
    missing.forEach((i, r) => encoder.encode(configs[i]!, Q.subarray(r * D, (r + 1) * D)));
    const mu = fit ? fit.gp.predict(Q, missing.length, false).mean : new Float64Array(missing.length);
    missing.forEach((i, r) => {
      memo.set(keys[i]!, (out[i * P + p] = fit ? normCdf(mu[r]!) : 0.5));
    });
  });
  return out;
}

/** Index of the candidate whose addition most reduces the weighted portfolio loss (−1 if none open).
 * `current` holds each prior's loss of the set chosen so far and is updated in place. */
export function greedyStep(matrix: Float64Array, P: number, weights: ArrayLike<number>, current: Float64Array, open: (i: number) => boolean, C: number): number {
  let best = -1;
  let bestGain = -Infinity;
  for (let i = 0; i < C; i++) {
    if (!open(i)) continue;
    let gain = 0;
    for (let p = 0; p < P; p++) {
      const v = matrix[i * P + p]!;
      if (v < current[p]!) gain += weights[p]! * (current[p]! - v);
    }
    if (gain > bestGain) {
      bestGain = gain;
      best = i;
    }
  }
  if (best >= 0) for (let p = 0; p < P; p++) current[p] = Math.min(current[p]!, matrix[best * P + p]!);
  return best;
}
