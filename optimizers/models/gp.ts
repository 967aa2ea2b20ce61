// Exact GP regression with a zero prior mean on standardised outputs and a Matérn-5/2 ARD kernel.
// Fitting hyperparameters is models/fit.ts; this module only conditions on fixed hyperparameters.
import { choleskyAppend, choleskyInverse, choleskyWithJitter, solveLower, solveLowerT } from '../linalg.ts';
import { kernelRow, matern52, scaleInputs } from './kernels.ts';

export type GPHyperparameters = {
  /** One per active input dimension, in unit-cube units. */
  lengthscales: number[];
  /** Signal variance s². */
  signal: number;
  /** Observation-noise variance. */
  noise: number;
};

/** Training data in the encoded space: X is n×D row-major; `dims` are the columns the kernel looks at
 * (all of them for the target, the shared parameters' columns for a prior from another space). */
export type GPData = { X: Float64Array; n: number; D: number; y: Float64Array; dims: Int32Array };

export type Prediction = { mean: Float64Array; variance: Float64Array };

export const LOG_2PI = Math.log(2 * Math.PI);

export function allDims(D: number): Int32Array {
  return Int32Array.from({ length: D }, (_, i) => i);
}

export class GaussianProcess {
  private constructor(
    readonly data: GPData,
    readonly hyper: GPHyperparameters,
    private readonly Xs: Float64Array,
    private readonly invLs: Float64Array,
    readonly L: Float64Array,
    readonly alpha: Float64Array,
    readonly jitter: number,
  ) {}

  /** Null when the covariance cannot be factorised even with jitter (non-finite inputs). */
  static build(data: GPData, hyper: GPHyperparameters): GaussianProcess | null {
    const { n, D, dims, y } = data;
    const a = dims.length;
    const ls = Float64Array.from(hyper.lengthscales);
    const Xs = scaleInputs(data.X, n, D, dims, ls);
    const K = new Float64Array(n * n);
    const row = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      kernelRow(Xs, i * a, Xs, n, a, row);
      for (let j = 0; j < n; j++) K[i * n + j] = hyper.signal * row[j]!;
      K[i * n + i] = K[i * n + i]! + hyper.noise;
    }
    const chol = choleskyWithJitter(K, n);
    if (!chol) return null;
    const alpha = solveLowerT(chol.L, n, solveLower(chol.L, n, y));
    for (let i = 0; i < n; i++) if (!Number.isFinite(alpha[i]!)) return null;
    return new GaussianProcess(data, hyper, Xs, ls.map((l) => 1 / l), chol.L, alpha, chol.jitter);
  }

  get n(): number {
    return this.data.n;
  }

  logMarginalLikelihood(): number {
    const n = this.data.n;
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      quad += this.data.y[i]! * this.alpha[i]!;
      logDet += Math.log(this.L[i * n + i]!);
    }
    return -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
  }

  private scaleQuery(Q: Float64Array, m: number, D: number): Float64Array {
    const dims = this.data.dims;
    const a = dims.length;
    const out = new Float64Array(m * a);
    for (let i = 0; i < m; i++) for (let k = 0; k < a; k++) out[i * a + k] = Q[i * D + dims[k]!]! * this.invLs[k]!;
    return out;
  }

  /** Posterior of the latent function at m encoded points (Q is m×D in the same encoding as X). */
  predict(Q: Float64Array, m: number, wantVariance = true): Prediction {
    const { n, D } = this.data;
    const a = this.data.dims.length;
    const Qs = this.scaleQuery(Q, m, D);
    const mean = new Float64Array(m);
    const variance = new Float64Array(m);
    const k = new Float64Array(n);
    const v = new Float64Array(n);
    const s2 = this.hyper.signal;
    const L = this.L;
    for (let j = 0; j < m; j++) {
      kernelRow(Qs, j * a, this.Xs, n, a, k);
      let mu = 0;
      for (let i = 0; i < n; i++) {
        k[i] = k[i]! * s2;
        mu += k[i]! * this.alpha[i]!;
      }
      mean[j] = mu;
      if (!wantVariance) continue;
      // Inline forward solve: this loop is the acquisition optimiser's hot spot.
      let vv = 0;
      for (let i = 0; i < n; i++) {
        const ri = i * n;
        let s = k[i]!;
        for (let t = 0; t < i; t++) s -= L[ri + t]! * v[t]!;
        const vi = s / L[ri + i]!;
        v[i] = vi;
        vv += vi * vi;
      }
      const varj = s2 - vv;
      variance[j] = varj > 1e-12 * s2 ? varj : 1e-12 * s2;
    }
    return { mean, variance };
  }

  /** Closed-form leave-one-out predictive mean/variance (Rasmussen & Williams §5.4.2). */
  leaveOneOut(): Prediction {
    const n = this.data.n;
    const Kinv = choleskyInverse(this.L, n);
    const mean = new Float64Array(n);
    const variance = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kii = Kinv[i * n + i]!;
      mean[i] = this.data.y[i]! - this.alpha[i]! / kii;
      variance[i] = 1 / kii;
    }
    return { mean, variance };
  }

  /** The GP with one more observation at the same hyperparameters, in O(n²): how fantasies for pending
   * trials and earlier batch members are added. */
  condition(x: Float64Array, y: number): GaussianProcess | null {
    const { n, D, dims } = this.data;
    const a = dims.length;
    const xs = new Float64Array(a);
    for (let k = 0; k < a; k++) xs[k] = x[dims[k]!]! * this.invLs[k]!;
    const c = kernelRow(xs, 0, this.Xs, n, a, new Float64Array(n));
    for (let i = 0; i < n; i++) c[i] = c[i]! * this.hyper.signal;
    const L2 = choleskyAppend(this.L, n, c, this.hyper.signal * matern52(0) + this.hyper.noise + this.jitter);
    if (!L2) return null;
    const X2 = new Float64Array((n + 1) * D);
    X2.set(this.data.X);
    X2.set(x.subarray(0, D), n * D);
    const y2 = new Float64Array(n + 1);
    y2.set(this.data.y);
    y2[n] = y;
    const Xs2 = new Float64Array((n + 1) * a);
    Xs2.set(this.Xs);
    Xs2.set(xs, n * a);
    const m = n + 1;
    const alpha = solveLowerT(L2, m, solveLower(L2, m, y2));
    return new GaussianProcess({ X: X2, n: m, D, y: y2, dims }, this.hyper, Xs2, this.invLs, L2, alpha, this.jitter);
  }
}
