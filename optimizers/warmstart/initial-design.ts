// Meta-learned initial design (Feurer, Springenberg & Hutter 2015, "Initializing Bayesian
// Hyperparameter Optimization via Meta-Learning"): instead of random points, evaluate the best configs
// of the most similar prior experiments. Priors are visited by decreasing similarity and, in round-robin
// over ranks, contribute their best, then second-best, … config; configs already tried (or equal after
// mapping into the target space) are skipped. Parameters a prior does not have are filled from the
// scrambled Sobol point of that slot, so the unshared part still spreads out.
import type { Config } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import type { ProjectedPrior } from './project.ts';
import { mapConfig } from './project.ts';

export type WarmProposal = { config: Config; prior: ProjectedPrior; row: number };

/** Lazily enumerate proposals in MI-SMBO order; the caller decides which ones are still open. */
export function* similarityOrderedProposals(encoder: Encoder, ranked: ProjectedPrior[], fill: (slot: number) => ArrayLike<number>): Generator<WarmProposal> {
  const maxRank = Math.max(0, ...ranked.map((p) => p.n));
  let slot = 0;
  for (let r = 0; r < maxRank; r++) {
    for (const prior of ranked) {
      if (r >= prior.n) continue;
      const row = prior.order[r]!;
      const config = mapConfig(encoder, new Set(prior.shared), prior.configs[row]!, fill(slot++));
      yield { config, prior, row };
    }
  }
}
