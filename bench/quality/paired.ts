// Paired comparison of two methods of one results.json, or of two runs of the same protocol (e.g. two
// builds): every (task, seed) both ran is a pair, and the mean of the per-pair differences with its
// standard error says whether a gap between two summary figures is more than seed-and-task noise (both
// methods saw the same priors and seeds).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { meanAndStandardError } from './metrics.ts';
import { QualityResultsSchema, type Curve, type QualityResults } from './schema.ts';

export const PAIRED_USAGE =
  'npm run bench -- quality-paired <results.json> <method-a> [<results-b.json>] <method-b> [--by-task <budget>]   (mean of b − a regret per budget over shared task×seed runs, with its standard error; --by-task: per task at one budget, largest first)';

export interface PairedRow {
  budget: number;
  pairs: number;
  /** Mean of (b − a) normalised regret; negative: b is better. */
  meanDiff: number;
  standardError: number;
  /** Pairs whose regret is exactly equal at this budget. */
  identical: number;
}

/** The (a, b) runs of the same (task, seed), in b's order. */
function pairedRuns(results: QualityResults, a: string, b: string, resultsB: QualityResults): (readonly [Curve, Curve])[] {
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
  return pairs;
}

export type TaskDifference = { task: string; runs: number; worse: number; better: number; meanDiff: number; diffs: number[] };

/** b − a per task at one budget (seed order), the task whose summed difference is largest first: which tasks hold a gap. */
export function differencesByTask(results: QualityResults, a: string, b: string, budget: number, resultsB = results): TaskDifference[] {
  const byTask = new Map<string, { seed: number; d: number }[]>();
  for (const [ca, cb] of pairedRuns(results, a, b, resultsB)) {
    const run = { seed: cb.seed, d: cb.regret[budget - 1]! - ca.regret[budget - 1]! };
    const runs = byTask.get(cb.task);
    if (runs) runs.push(run);
    else byTask.set(cb.task, [run]);
  }
  return [...byTask]
    .map(([task, runs]) => {
      const diffs = runs.sort((x, y) => x.seed - y.seed).map((r) => r.d);
      const sum = diffs.reduce((s, d) => s + d, 0);
      return {
        task,
        runs: diffs.length,
        worse: diffs.filter((d) => d > 0).length,
        better: diffs.filter((d) => d < 0).length,
        meanDiff: sum / diffs.length,
        diffs,
      };
    })
    .sort((x, y) => y.meanDiff * y.runs - x.meanDiff * x.runs || x.task.localeCompare(y.task));
}

/** Paired b − a at each of `budgets` (default: the results' report budgets); `resultsB` holds b when it is another run. */
export function pairedDifferences(results: QualityResults, a: string, b: string, budgets: number[] = results.budgets, resultsB = results): PairedRow[] {
  return differencesAt(pairedRuns(results, a, b, resultsB), budgets);
}

/** Mean b − a of `pairs` at each of `budgets`, with its standard error. */
export function differencesAt(pairs: readonly (readonly [Curve, Curve])[], budgets: number[]): PairedRow[] {
  return budgets.map((budget) => {
    const d = pairs.map(([ca, cb]) => cb.regret[budget - 1]! - ca.regret[budget - 1]!);
    const { mean, standardError } = meanAndStandardError(d);
    return { budget, pairs: d.length, meanDiff: mean, standardError, identical: d.filter((x) => x === 0).length };
  });
}

/** A difference without spread counts as ±∞ standard errors (0 when there is none). */
export function zOf(mean: number, standardError: number): number {
  if (standardError > 0) return mean / standardError;
  return mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
}

/** The budget where b − a is the most standard errors above 0, and the budgets where it is more than 1 SE. */
export function worstAndBeyond(rows: PairedRow[]): { worst: PairedRow & { z: number }; beyond: number[] } {
  const withZ = rows.map((row) => ({ ...row, z: zOf(row.meanDiff, row.standardError) }));
  return { worst: withZ.reduce((a, b) => (b.z > a.z ? b : a)), beyond: withZ.filter((row) => row.z > 1).map((row) => row.budget) };
}

/** quality-paired's arguments: the files and methods, and --by-task's budget (a positive integer) if given. */
export function parsePairedArgs(args: string[]): { positionals: string[]; byTask: number | undefined } {
  const { values, positionals } = parseArgs({ args, options: { 'by-task': { type: 'string' } }, allowPositionals: true });
  const spec = values['by-task'];
  if (spec === undefined) return { positionals, byTask: undefined };
  const byTask = Number(spec);
  if (!/^\d+$/.test(spec) || byTask < 1) throw new Error(`--by-task needs a budget (a trial count ≥ 1), got ${JSON.stringify(spec)}`);
  return { positionals, byTask };
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

export async function pairedCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parsePairedArgs>;
  try {
    parsed = parsePairedArgs(args);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nusage: ${PAIRED_USAGE}\n`);
    return 2;
  }
  const { positionals: argv, byTask } = parsed;
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
  const names = fileB === file ? `${b} − ${a}` : `${b} (${fileB}) − ${a} (${file})`;
  if (byTask !== undefined) {
    const budget = Math.min(results.protocol.budget, resultsB.protocol.budget);
    if (byTask > budget) {
      process.stderr.write(`--by-task ${byTask}: the runs have a budget of ${budget}\n`);
      return 2;
    }
    const tasks = differencesByTask(results, a, b, byTask, resultsB);
    process.stdout.write(
      `${names} at ${byTask} trials, per task (largest total first)\n\n| task | runs | b worse | b better | mean difference | per seed |\n|---|---|---|---|---|---|\n`,
    );
    const f = (d: number) => `${d >= 0 ? '+' : ''}${d.toFixed(4)}`;
    for (const t of tasks) process.stdout.write(`| ${t.task} | ${t.runs} | ${t.worse} | ${t.better} | ${f(t.meanDiff)} | ${t.diffs.map(f).join(', ')} |\n`);
    return 0;
  }
  const rows = pairedDifferences(results, a, b, results.budgets, resultsB);
  process.stdout.write(
    `${names}, paired over ${rows[0]!.pairs} (task, seed) runs of ${results.suite}\n\n| budget | mean difference | standard error | identical runs |\n|---|---|---|---|\n`,
  );
  for (const r of rows)
    process.stdout.write(`| ${r.budget} | ${r.meanDiff >= 0 ? '+' : ''}${r.meanDiff.toFixed(4)} | ${r.standardError.toFixed(4)} | ${r.identical} |\n`);
  return 0;
}
