// Dense kernels for the GP's hot path on row-major Float64Arrays.
//
// Why not ml-matrix here: its Cholesky/solve go through get()/set() per element; measured on this machine
// for n = 200 its factorisation takes ~4 ms and a full solve ~40 ms versus ~1.5 ms / ~3 ms for these
// loops, and the LML is evaluated tens of times per suggestion. ml-matrix stays the reference
// implementation the tests check these routines (and the GP posterior) against.

/** In-place lower Cholesky of the n×n row-major matrix `a` (upper triangle zeroed). False if not PD. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) {
      const v = a[rj + k]!;
      d -= v * v;
    }
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s * inv;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

export type CholeskyResult = { L: Float64Array; jitter: number };

/** Cholesky with adaptive jitter: retry with diag += 1e-9·mean(diag), ×10 per attempt, up to 1e-3·mean.
 * Duplicate inputs with tiny noise make K singular to rounding; a relative jitter fixes that without
 * visibly changing the posterior. Null if even the largest jitter fails (e.g. NaN entries). */
export function choleskyWithJitter(k: Float64Array, n: number): CholeskyResult | null {
  const L = new Float64Array(n * n);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += k[i * n + i]!;
  meanDiag = n > 0 ? meanDiag / n : 1;
  if (!(meanDiag > 0) || !Number.isFinite(meanDiag)) return null;
  let jitter = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    L.set(k);
    if (jitter > 0) for (let i = 0; i < n; i++) L[i * n + i] = L[i * n + i]! + jitter;
    if (choleskyInPlace(L, n)) return { L, jitter };
    jitter = jitter === 0 ? 1e-9 * meanDiag : jitter * 10;
  }
  return null;
}

/** Solve L x = b (forward substitution). */
export function solveLower(L: Float64Array, n: number, b: ArrayLike<number>, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[ri + k]! * out[k]!;
    out[i] = s / L[ri + i]!;
  }
  return out;
}

/** Solve Lᵀ x = b (back substitution with the lower factor). */
export function solveLowerT(L: Float64Array, n: number, b: ArrayLike<number>, out = new Float64Array(n)): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * out[k]!;
    out[i] = s / L[i * n + i]!;
  }
  return out;
}

/** K⁻¹ from its Cholesky factor: invert L (n³/6), then L⁻ᵀL⁻¹ (n³/6). L⁻¹ is stored transposed (row j
 * holds column j) so both inner loops run over contiguous memory. */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const invT = new Float64Array(n * n); // invT[j*n + i] = (L⁻¹)_{ij}, non-zero for i ≥ j
  for (let j = 0; j < n; j++) {
    const cj = j * n;
    invT[cj + j] = 1 / L[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= L[ri + k]! * invT[cj + k]!;
      invT[cj + i] = s / L[ri + i]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let j = 0; j <= i; j++) {
      const cj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += invT[ci + k]! * invT[cj + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Factor of the bordered matrix [[K, c], [cᵀ, d]] from K's factor in O(n²); null if not PD. */
export function choleskyAppend(L: Float64Array, n: number, c: ArrayLike<number>, d: number): Float64Array | null {
  const m = n + 1;
  const out = new Float64Array(m * m);
  for (let i = 0; i < n; i++) out.set(L.subarray(i * n, i * n + i + 1), i * m);
  const l = solveLower(L, n, c);
  let s = d;
  for (let i = 0; i < n; i++) {
    out[n * m + i] = l[i]!;
    s -= l[i]! * l[i]!;
  }
  if (!(s > 0)) s = Math.max(d * 1e-10, 1e-12);
  out[n * m + n] = Math.sqrt(s);
  return Number.isFinite(out[n * m + n]!) ? out : null;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}
