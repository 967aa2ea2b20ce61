// Latin hypercube: each parameter's range is cut into n equal strata and every stratum is used exactly
// once (McKay et al. 1979). Gives per-parameter coverage for any n, unlike Sobol which wants powers of 2.
import { Rng } from '../random.ts';

export function latinHypercube(n: number, dim: number, seed: number): Float64Array[] {
  const rng = Rng.from(seed, 'lhs', n, dim);
  const pts = Array.from({ length: n }, () => new Float64Array(dim));
  for (let d = 0; d < dim; d++) {
    const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) pts[i]![d] = (perm[i]! + rng.uniform()) / n;
  }
  return pts;
}
