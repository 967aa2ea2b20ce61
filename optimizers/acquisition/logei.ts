// Log expected improvement (minimisation), after Ament et al. (2023) "Unexpected Improvements to
// Expected Improvement for Bayesian Optimization". EI = σ·h(z) with z = (best − μ)/σ and
// h(z) = φ(z) + zΦ(z). Plain EI underflows to exactly 0 for z ≲ −38 and loses all relative precision
// long before (φ(z) and zΦ(z) cancel), which leaves the acquisition optimiser on a flat plateau. In log
// space:
//   z > −1:        log h(z) directly (no cancellation there);
//   −1/√ε < z ≤ −1: log φ(z) + log1mexp(log(erfcx(−z/√2)·|z|) + ½·log(π/2)),
//                  since h(z) = φ(z)·(1 − |z|·√(π/2)·erfcx(−z/√2)) for z < 0;
//   z ≤ −1/√ε:     log φ(z) − 2·log|z|  (h(z) ≈ φ(z)/z² once 1/z² is below machine precision).
import { erfcx, log1mexp, logNormPdf, normCdf, normPdf } from '../math/normal.ts';

const HALF_LOG_PI_OVER_2 = 0.5 * Math.log(Math.PI / 2);
const INV_SQRT_EPS = 1 / Math.sqrt(Number.EPSILON);

export function logH(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z > -1) return Math.log(normPdf(z) + z * normCdf(z));
  if (z > -INV_SQRT_EPS) {
    return logNormPdf(z) + log1mexp(Math.log(erfcx(-z / Math.SQRT2) * -z) + HALF_LOG_PI_OVER_2);
  }
  return logNormPdf(z) - 2 * Math.log(-z);
}

/** log EI for minimisation at a point with posterior N(mean, variance), incumbent `best`. */
export function logExpectedImprovement(mean: number, variance: number, best: number): number {
  const sd = Math.sqrt(variance);
  if (!(sd > 0) || !Number.isFinite(sd)) {
    const imp = best - mean;
    return imp > 0 ? Math.log(imp) : -Infinity;
  }
  return logH((best - mean) / sd) + Math.log(sd);
}
