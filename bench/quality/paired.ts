// Paired comparison of two methods of one results.json, or of two runs of the same protocol (e.g. two
// builds): every (task, seed) both ran is a pair, and the mean of the per-pair differences with its
// standard error says whether a gap between two summary figures is more than seed-and-task noise (both
// methods saw the same priors and seeds).
import { readFileSync } from 'node:fs';
import { meanAndStandardError } from './metrics.ts';
import { QualityResultsSchema, type Curve, type QualityResults } from './schema.ts';

export const PAIRED_USAGE =
  'npm run bench -- quality-paired <results.json> <method-a> [<results-b.json>] <method-b>   (mean of b − a regret per budget over shared task×seed runs, with its standard error)';

export interface PairedRow {
  budget: number;
  pairs: number;
  /** Mean of (b − a) normalised regret; negative: b is better. */
  meanDiff: number;
  standardError: number;
  /** Pairs whose regret is exactly equal at this budget. */
  identical: number;
}

/** Paired b − a at each of `budgets` (default: the results' report budgets); `resultsB` holds b when it is another run. */
export function pairedDifferences(results: QualityResults, a: string, b: string, budgets: number[] = results.budgets, resultsB = results): PairedRow[] {
  const curvesOf = (r: QualityResults, m: string): Curve[] => {
    const c = r.curves[m];
    if (!c) throw new Error(`method "${m}" is not in the results (it has ${Object.keys(r.curves).join(', ')})`);
    return c;
  };
  const key = (c: Curve) => `${c.task}\u0000${c.seed}`;
  const byKey = new Map(curvesOf(results, a).map((c) => [key(c), c] as const));
  const pairs = curvesOf(resultsB, b).flatMap((cb) => {
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

/** Why two runs cannot be paired (another suite or another protocol), or null. */
export function unpairable(a: QualityResults, b: QualityResults): string | null {
  if (a.suite !== b.suite) return `the runs are of different suites (${a.suite}, ${b.suite})`;
  const same = (k: 'budget' | 'priorTrials' | 'shufflePriors' | 'priorExperiments') => JSON.stringify(a.protocol[k]) === JSON.stringify(b.protocol[k]);
  for (const k of ['priorTrials', 'shufflePriors', 'priorExperiments'] as const)
    if (!same(k))
      return `the runs differ in ${k} (${JSON.stringify(a.protocol[k]) ?? 'all'} and ${JSON.stringify(b.protocol[k]) ?? 'all'}): their priors differ`;
  return null;
}

export async function pairedCommand(argv: string[]): Promise<number> {
  if (argv.length !== 3 && argv.length !== 4) {
    process.stderr.write(`usage: ${PAIRED_USAGE}\n`);
    return 2;
  }
  const [file, a, fileB, b] = argv.length === 3 ? [argv[0]!, argv[1]!, argv[0]!, argv[2]!] : (argv as [string, string, string, string]);
  const read = (f: string) => QualityResultsSchema.parse(JSON.parse(readFileSync(f, 'utf8')));
  const results = read(file);
  const resultsB = fileB === file ? results : read(fileB);
  const why = unpairable(results, resultsB);
  if (why) {
    process.stderr.write(`cannot pair ${file} and ${fileB}: ${why}\n`);
    return 2;
  }
  const rows = pairedDifferences(results, a, b, results.budgets, resultsB);
  const names = fileB === file ? `${b} − ${a}` : `${b} (${fileB}) − ${a} (${file})`;
  process.stdout.write(
    `${names}, paired over ${rows[0]!.pairs} (task, seed) runs of ${results.suite}\n\n| budget | mean difference | standard error | identical runs |\n|---|---|---|---|\n`,
  );
  for (const r of rows)
    process.stdout.write(`| ${r.budget} | ${r.meanDiff >= 0 ? '+' : ''}${r.meanDiff.toFixed(4)} | ${r.standardError.toFixed(4)} | ${r.identical} |\n`);
  return 0;
}
