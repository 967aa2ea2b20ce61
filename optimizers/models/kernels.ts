// Matérn-5/2 with ARD lengthscales, the default of Snoek et al. (2012): twice differentiable, so it does
// not over-smooth like the squared exponential, which matters for hyperparameter response surfaces.
//   k(r) = s² (1 + √5 r + 5r²/3) exp(−√5 r),  r² = Σ_d (x_d − x'_d)² / ℓ_d²
// Derivative used by the LML gradient (per log-lengthscale):
//   ∂k/∂log ℓ_d = s² · (5/3)(1 + √5 r) exp(−√5 r) · (x_d − x'_d)² / ℓ_d²

export const SQRT5 = Math.sqrt(5);

/** k(r)/s² from r². */
export function matern52(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** (∂k/∂log ℓ_d)/(s²·Δ_d²/ℓ_d²), i.e. the factor shared by every dimension of one pair. */
export function matern52LengthscaleFactor(r2: number): number {
  const r = Math.sqrt(r2);
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Inputs of the active dims divided by their lengthscales, so r² is a plain squared distance. */
export function scaleInputs(X: Float64Array, n: number, D: number, dims: Int32Array, lengthscales: Float64Array): Float64Array {
  const a = dims.length;
  const out = new Float64Array(n * a);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < a; k++) out[i * a + k] = X[i * D + dims[k]!]! / lengthscales[k]!;
  }
  return out;
}

/** Cross-covariance row k(x, X_i) (without s²) for one scaled query against n scaled training rows. */
export function kernelRow(q: Float64Array, qOff: number, Xs: Float64Array, n: number, a: number, out: Float64Array, outOff = 0): Float64Array {
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    const o = i * a;
    for (let k = 0; k < a; k++) {
      const d = q[qOff + k]! - Xs[o + k]!;
      r2 += d * d;
    }
    out[outOff + i] = matern52(r2);
  }
  return out;
}
