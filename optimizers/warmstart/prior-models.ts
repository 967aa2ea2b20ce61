// One GP per prior experiment, fitted on its projected, copula-normalised data and memoised in the
// caller's cache (the fit is a deterministic function of the projection, so a hit equals a refit).
import type { ModelCache } from '../cache.ts';
import { fitGP, type FitResult } from '../models/fit.ts';
import type { ProjectedPrior } from './project.ts';

export function priorModel(p: ProjectedPrior, cache: ModelCache | undefined): FitResult | null {
  const hit = cache?.fits.get(p.hash);
  if (hit) return hit;
  // One start from the prior mean: priors are fitted once and reused, but there can be dozens of them,
  // and their role (ranking the target) is robust to a slightly sub-optimal fit.
  const fit = fitGP({ X: p.X, n: p.n, D: p.X.length / p.n, y: p.y, dims: p.dims }, { seed: 0, restarts: 1, maxIterations: 40 });
  if (fit) cache?.fits.set(p.hash, fit);
  return fit;
}

/** Prior model means at encoded points (m×D). */
export function priorMeans(fit: FitResult, Q: Float64Array, m: number): Float64Array {
  return fit.gp.predict(Q, m, false).mean;
}
