// Box-constrained L-BFGS by projection (two-loop recursion, Nocedal & Wright Alg. 7.4) with a
// backtracking Armijo line search. Enough for the ≤ ~60 GP hyperparameters: the problem is smooth, the
// box only guards against numerically silly values, and a projected step that hits the box simply
// freezes that coordinate for the iteration.

export type Objective = (x: Float64Array, grad: Float64Array) => number;

export type LbfgsOptions = {
  lower: Float64Array;
  upper: Float64Array;
  maxIterations?: number;
  memory?: number;
  /** Stop when the projected gradient's max-norm falls below this. */
  gradTol?: number;
  /** Stop when the relative decrease of f over one iteration falls below this. */
  relTol?: number;
};

export type LbfgsResult = { x: Float64Array; f: number; iterations: number; evaluations: number; converged: boolean };

function project(x: Float64Array, lo: Float64Array, hi: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi[i]!, Math.max(lo[i]!, x[i]!));
}

function projectedGradNorm(x: Float64Array, g: Float64Array, lo: Float64Array, hi: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    // A coordinate at its bound whose gradient pushes outward is optimal in that coordinate.
    if ((x[i]! <= lo[i]! && gi > 0) || (x[i]! >= hi[i]! && gi < 0)) continue;
    m = Math.max(m, Math.abs(gi));
  }
  return m;
}

export function minimizeLbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const maxIt = opts.maxIterations ?? 100;
  const mem = opts.memory ?? 8;
  const gtol = opts.gradTol ?? 1e-5;
  const rtol = opts.relTol ?? 1e-9;
  const { lower, upper } = opts;
  const x = Float64Array.from(x0);
  project(x, lower, upper);
  const g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) return { x, f: fx, iterations: 0, evaluations, converged: false };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alphas = new Float64Array(mem);
  let it = 0;
  let converged = false;
  for (; it < maxIt; it++) {
    if (projectedGradNorm(x, g, lower, upper) < gtol) {
      converged = true;
      break;
    }
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k]![i]! * d[i]!;
      a *= rho[k]!;
      alphas[k] = a;
      for (let i = 0; i < n; i++) d[i] = d[i]! - a * Y[k]![i]!;
    }
    if (S.length > 0) {
      const s = S[S.length - 1]!;
      const y = Y[Y.length - 1]!;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += s[i]! * y[i]!;
        yy += y[i]! * y[i]!;
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    } else {
      // First step: unit-length steepest descent so the line search starts at a sane scale.
      let gn = 0;
      for (let i = 0; i < n; i++) gn += g[i]! * g[i]!;
      const scale = 1 / Math.max(1, Math.sqrt(gn));
      for (let i = 0; i < n; i++) d[i] = d[i]! * scale;
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k]![i]! * d[i]!;
      b *= rho[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! + S[k]![i]! * (alphas[k]! - b);
    }
    // Coordinates pinned at a bound and pushed outward do not move.
    for (let i = 0; i < n; i++) {
      if ((x[i]! <= lower[i]! && d[i]! < 0) || (x[i]! >= upper[i]! && d[i]! > 0)) d[i] = 0;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i]! * d[i]!;
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature pairs): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      let any = false;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i]!;
        if ((x[i]! <= lower[i]! && d[i]! < 0) || (x[i]! >= upper[i]! && d[i]! > 0)) d[i] = 0;
        if (d[i] !== 0) any = true;
      }
      slope = 0;
      for (let i = 0; i < n; i++) slope += g[i]! * d[i]!;
      if (!any || !(slope < 0)) {
        converged = true;
        break;
      }
    }
    let step = 1;
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      project(xNew, lower, upper);
      fNew = f(xNew, gNew);
      evaluations++;
      let actual = 0;
      for (let i = 0; i < n; i++) actual += g[i]! * (xNew[i]! - x[i]!);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * Math.min(actual, 0)) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
      sy += s[i]! * y[i]!;
      ss += s[i]! * s[i]!;
      yy += y[i]! * y[i]!;
    }
    const decrease = fx - fNew;
    x.set(xNew);
    g.set(gNew);
    const fOld = fx;
    fx = fNew;
    if (sy > 1e-10 * Math.sqrt(ss * yy)) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (decrease <= rtol * Math.max(1, Math.abs(fOld))) {
      converged = true;
      it++;
      break;
    }
  }
  return { x, f: fx, iterations: it, evaluations, converged };
}
