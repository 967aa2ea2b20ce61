// Scoring of incumbent curves: pure functions from the evaluated rows to normalised-regret curves, means
// at fixed budgets, average ranks and trials-to-target.
import type { SuiteTask } from '../../src/suites.ts';
import { normalizedRegret } from '../tabular/task.ts';
import type { Curve } from './schema.ts';

export type Direction = 'maximize' | 'minimize';

export type { Curve };

export const REPORT_BUDGETS = [1, 5, 10, 25, 50];

/** The reported budgets up to `budget`, and `budget` itself so the full-budget figure is always there. */
export function reportBudgets(budget: number): number[] {
  const out = REPORT_BUDGETS.filter((b) => b <= budget);
  if (!out.includes(budget)) out.push(budget);
  return out;
}

/** Incumbent and regret after each of `budget` trials; a run that exhausted a small table keeps its last value. */
export function curveOf(task: SuiteTask, direction: Direction, seed: number, rows: number[], budget: number): Curve {
  if (rows.length === 0) throw new Error(`no evaluations on task ${task.id}`);
  const sign = direction === 'maximize' ? 1 : -1;
  const incumbent: number[] = [];
  let best = -Infinity;
  for (let t = 0; t < budget; t++) {
    const r = rows[Math.min(t, rows.length - 1)]!;
    best = Math.max(best, sign * task.values[r]!);
    incumbent.push(sign * best);
  }
  return { task: task.id, seed, incumbent, regret: incumbent.map((y) => normalizedRegret(task, y)) };
}

export function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Mean and standard error of the mean (sample standard deviation / √n; 0 for a single value). */
export function meanAndStandardError(v: number[]): { mean: number; standardError: number } {
  const m = mean(v);
  const variance = v.length > 1 ? v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) : 0;
  return { mean: m, standardError: Math.sqrt(variance / v.length) };
}

/** Mean regret over every (task, seed) after each trial. */
export function meanCurve(curves: Curve[]): number[] {
  const n = curves[0]?.regret.length ?? 0;
  return Array.from({ length: n }, (_, t) => mean(curves.map((c) => c.regret[t]!)));
}

export function summarize(curves: Record<string, Curve[]>, budgets: number[]): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(curves).map(([m, cs]) => {
      const mc = meanCurve(cs);
      return [m, Object.fromEntries(budgets.map((b) => [String(b), mc[b - 1]!]))];
    }),
  );
}

/** Ranks of values, 1 = lowest; ties share the average of their ranks. */
export function ranksOf(values: number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]!.v === order[s]!.v) e++;
    for (let k = s; k <= e; k++) ranks[order[k]!.i] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return ranks;
}

/** Average rank of each method over (task, seed) pairs, at each budget (1 = best). */
export function averageRanks(curves: Record<string, Curve[]>, budgets: number[]): Record<string, Record<string, number>> {
  const methods = Object.keys(curves);
  const out: Record<string, Record<string, number>> = Object.fromEntries(methods.map((m) => [m, {}]));
  const runs = curves[methods[0]!]?.length ?? 0;
  for (const b of budgets) {
    const sums = new Array<number>(methods.length).fill(0);
    for (let k = 0; k < runs; k++) {
      // Every method's k-th curve is the same (task, seed): the runner fills them in the same order.
      ranksOf(methods.map((m) => curves[m]![k]!.regret[b - 1]!)).forEach((r, i) => (sums[i]! += r));
    }
    methods.forEach((m, i) => (out[m]![String(b)] = sums[i]! / runs));
  }
  return out;
}

/**
 * Trials each method needs for its mean regret to reach the reference method's mean regret at the full
 * budget (null: the reference is absent, or the method never gets there within the budget).
 */
export function trialsToTarget(curves: Record<string, Curve[]>, reference: string): Record<string, number | null> {
  const ref = curves[reference];
  const target = ref ? meanCurve(ref).at(-1) : undefined;
  return Object.fromEntries(
    Object.entries(curves).map(([m, cs]) => {
      if (target === undefined) return [m, null];
      const t = meanCurve(cs).findIndex((r) => r <= target + 1e-12);
      return [m, t < 0 ? null : t + 1];
    }),
  );
}
