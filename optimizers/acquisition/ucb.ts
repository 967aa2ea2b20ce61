// Upper confidence bound, written for minimisation as the negated lower confidence bound so that, like
// log-EI, larger is better: a(x) = −(μ − √β·σ). β trades exploration for exploitation (Srinivas et al.
// 2010); with standardised outputs β ≈ 4 (two standard deviations) is a common fixed choice.
export function upperConfidenceBound(mean: number, variance: number, beta: number): number {
  return -(mean - Math.sqrt(beta * Math.max(variance, 0)));
}
