// One GP per prior experiment, fitted on its projected, copula-normalised data. A deterministic
// function of the projection, so a caller may keep the fit by the projection's hash (PriorEvidence).
import { fitGP, type FitResult } from '../models/fit.ts';
import type { ProjectedPrior } from './project.ts';

export function fitPriorModel(p: ProjectedPrior): FitResult | null {
  // One start from the prior mean: priors are fitted once and reused, but there can be dozens of them,
  // and their role (ranking the target) is robust to a slightly sub-optimal fit.
  return fitGP({ X: p.X, n: p.n, D: p.X.length / p.n, y: p.y, dims: p.dims }, { seed: 0, restarts: 1, maxIterations: 40 });
}

/** Prior model means at encoded points (m×D). */
export function priorMeans(fit: FitResult, Q: Float64Array, m: number): Float64Array {
  return fit.gp.predict(Q, m, false).mean;
}
