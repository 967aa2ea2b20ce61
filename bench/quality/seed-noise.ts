// What the no-cost check reads as a cost when there is none: a method against itself. The runs of one
// method on one task are paired off across seeds (seed against seed, each run in one pair), and the
// check's statistic (the largest mean difference in standard errors over budgets 1…B) is computed for
// many random pairings. The worst budget of a real comparison means something only beyond this
// distribution: at 50 correlated budgets, "≤ 1 SE at every budget" fails often for two equal methods.
import { Rng } from '../../optimizers/random.ts';
import { differencesAt, worstAndBeyond } from './paired.ts';
import type { Curve, QualityResults } from './schema.ts';

export type SeedNoise = {
  method: string;
  /** Random pairings drawn. */
  pairings: number;
  /** Pairs in each pairing: ⌊seeds / 2⌋ per task, fewer than the real check has. */
  pairs: number;
  /** Share of pairings with no budget more than 1 SE above 0. */
  withinOneSe: number;
  /** Percentiles of the worst budget's mean difference in standard errors. */
  worstZ: { median: number; p90: number; p95: number };
  /** Percentiles of the number of budgets more than 1 SE above 0 (a long run of them is a cost a single worst budget can understate). */
  budgetsBeyond: { median: number; p95: number };
};

/** The pairs' largest mean(b − a) / SE over budgets 1…budget, and how many budgets are above 1 SE. */
export type PairedExtremes = { worstZ: number; beyond: number };

/** The no-cost check's statistics (worstAndBeyond, as knowledge-curve reads them) over budgets 1…budget. */
export function pairedExtremes(pairs: readonly (readonly [Curve, Curve])[], budget: number): PairedExtremes {
  const { worst, beyond } = worstAndBeyond(
    differencesAt(
      pairs,
      Array.from({ length: budget }, (_, i) => i + 1),
    ),
  );
  return { worstZ: worst.z, beyond: beyond.length };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `method` against itself over `pairings` seeded random pairings of its seeds; null with fewer than 2 seeds per task. */
export function seedNoise(r: QualityResults, method: string, opts: { pairings?: number; seed?: number } = {}): SeedNoise | null {
  const pairings = opts.pairings ?? 500;
  const byTask = new Map<string, Curve[]>();
  for (const c of r.curves[method] ?? []) {
    const runs = byTask.get(c.task);
    if (runs) runs.push(c);
    else byTask.set(c.task, [c]);
  }
  const groups = [...byTask.values()].filter((g) => g.length >= 2);
  if (groups.length === 0) return null;
  const pairs = groups.reduce((n, g) => n + Math.floor(g.length / 2), 0);
  const rng = Rng.from(opts.seed ?? 0, 'seed-noise', method);
  const worst: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < pairings; i++) {
    const drawn: (readonly [Curve, Curve])[] = [];
    for (const g of groups) {
      const order = rng.shuffle([...g]);
      for (let k = 0; k + 1 < order.length; k += 2) drawn.push([order[k]!, order[k + 1]!]);
    }
    const e = pairedExtremes(drawn, r.protocol.budget);
    worst.push(e.worstZ);
    counts.push(e.beyond);
  }
  worst.sort((a, b) => a - b);
  counts.sort((a, b) => a - b);
  return {
    method,
    pairings,
    pairs,
    withinOneSe: counts.filter((c) => c === 0).length / pairings,
    worstZ: { median: percentile(worst, 0.5), p90: percentile(worst, 0.9), p95: percentile(worst, 0.95) },
    budgetsBeyond: { median: percentile(counts, 0.5), p95: percentile(counts, 0.95) },
  };
}
