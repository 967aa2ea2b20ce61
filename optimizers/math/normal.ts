// Standard-normal special functions with the tail accuracy log-EI needs. erfc is split so that no branch
// subtracts nearly equal numbers: a positive-term series for erf on |x| < 2 and Laplace's continued
// fraction for the scaled complement erfcx(x) = exp(x²)·erfc(x) beyond.

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erf(x) for |x| < ~3 as 2/√π·e^{−x²}·Σ 2ⁿx^{2n+1}/(2n+1)!!: every term positive, so no cancellation. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfcx(x) = exp(x²)·erfc(x) for x ≥ 2 by backward evaluation of Laplace's continued fraction
 * √π·erfcx(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcxContinuedFraction(x: number): number {
  const terms = x > 10 ? 30 : x > 5 ? 60 : 160;
  let f = x;
  for (let k = terms; k >= 1; k--) f = x + k / 2 / f;
  return 1 / (SQRT_PI * f);
}

export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcxContinuedFraction(x);
  if (x > -2) return Math.exp(x * x) * (1 - erfSeries(x));
  // erfc(x) = 2 − erfc(−x) ⇒ erfcx(x) = 2e^{x²} − erfcx(−x); overflows to +∞ only when the answer does.
  return 2 * Math.exp(x * x) - erfcxContinuedFraction(-x);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return x > 27.3 ? 0 : Math.exp(-x * x) * erfcxContinuedFraction(x);
  if (x > -2) return 1 - erfSeries(x);
  return 2 - erfc(-x);
}

export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

export function logNormPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log(1 − e^a) for a ≤ 0 (Mächler 2012: switch at −log 2 between expm1 and log1p forms). */
export function log1mexp(a: number): number {
  if (a > 0) return NaN;
  return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/** Inverse standard-normal CDF: Acklam's rational approximation plus one Halley step (≈1e-15). */
export function normQuantile(p: number): number {
  if (!(p > 0)) return p === 0 ? -Infinity : NaN;
  if (!(p < 1)) return p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
