// Paired comparison of two methods of one results.json: every (task, seed) both ran is a pair, and the
// mean of the per-pair differences with its standard error says whether a gap between two summary
// figures is more than seed-and-task noise (both methods saw the same priors and seeds).
import { readFileSync } from 'node:fs';
import { meanAndStandardError } from './metrics.ts';
import { QualityResultsSchema, type Curve, type QualityResults } from './schema.ts';

export const PAIRED_USAGE =
  'npm run bench -- quality-paired <results.json> <method-a> <method-b>   (mean of b − a regret per budget over shared task×seed runs, with its standard error)';

export interface PairedRow {
  budget: number;
  pairs: number;
  /** Mean of (b − a) normalised regret; negative: b is better. */
  meanDiff: number;
  standardError: number;
  /** Pairs whose regret is exactly equal at this budget. */
  identical: number;
}

/** Paired b − a at each of `budgets` (default: the results' report budgets). */
export function pairedDifferences(results: QualityResults, a: string, b: string, budgets: number[] = results.budgets): PairedRow[] {
  const curvesOf = (m: string): Curve[] => {
    const c = results.curves[m];
    if (!c) throw new Error(`method "${m}" is not in the results (it has ${Object.keys(results.curves).join(', ')})`);
    return c;
  };
  const key = (c: Curve) => `${c.task}\u0000${c.seed}`;
  const byKey = new Map(curvesOf(a).map((c) => [key(c), c] as const));
  const pairs = curvesOf(b).flatMap((cb) => {
    const ca = byKey.get(key(cb));
    return ca ? [[ca, cb] as const] : [];
  });
  if (pairs.length === 0) throw new Error(`"${a}" and "${b}" share no (task, seed) run`);
  return budgets.map((budget) => {
    const d = pairs.map(([ca, cb]) => cb.regret[budget - 1]! - ca.regret[budget - 1]!);
    const { mean, standardError } = meanAndStandardError(d);
    return { budget, pairs: d.length, meanDiff: mean, standardError, identical: d.filter((x) => x === 0).length };
  });
}

export async function pairedCommand(argv: string[]): Promise<number> {
  const [file, a, b] = argv;
  if (!file || !a || !b || argv.length !== 3) {
    process.stderr.write(`usage: ${PAIRED_USAGE}\n`);
    return 2;
  }
  const results = QualityResultsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const rows = pairedDifferences(results, a, b);
  process.stdout.write(
    `${b} − ${a}, paired over ${rows[0]!.pairs} (task, seed) runs of ${results.suite}\n\n| budget | mean difference | standard error | identical runs |\n|---|---|---|---|\n`,
  );
  for (const r of rows)
    process.stdout.write(`| ${r.budget} | ${r.meanDiff >= 0 ? '+' : ''}${r.meanDiff.toFixed(4)} | ${r.standardError.toFixed(4)} | ${r.identical} |\n`);
  return 0;
}
