// `npm run bench -- quality-merge --out <dir> <results.json> …`: one table from several runs of the same
// protocol, e.g. a method re-run after a change, or `--via-service` next to in-process. Summary, ranks
// and trials-to-target are recomputed from the curves, so a merged file is what one run of all the
// methods would have written.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { averageRanks, summarize, trialsToTarget } from './metrics.ts';
import { writeOutputs } from './output.ts';
import { summaryTable } from './report.ts';
import { REFERENCE_METHOD } from './run.ts';
import { QualityResultsSchema, type Curve, type QualityResults } from './schema.ts';

export const MERGE_USAGE =
  'npm run bench -- quality-merge --out <dir> <results.json> <results.json> …   (later files replace methods of the same name; --via-service methods get the suffix "-service")';

const SAME = ['budget', 'seeds', 'priorTrials', 'shufflePriors', 'tasks', 'priorExperiments'] as const;
/** Absent in files written before the option existed: those used every other task. */
const orAll = <T>(k: string, v: T): T | 'all' => (k === 'priorExperiments' && v === undefined ? 'all' : v);

export function mergeResults(runs: QualityResults[]): QualityResults {
  const [first] = runs;
  if (!first) throw new Error('nothing to merge');
  const curves: Record<string, Curve[]> = {};
  const skipped = new Map<string, string>();
  for (const r of runs) {
    if (r.suite !== first.suite) throw new Error(`cannot merge suite ${r.suite} with ${first.suite}`);
    for (const k of SAME) {
      if (JSON.stringify(orAll(k, r.protocol[k])) !== JSON.stringify(orAll(k, first.protocol[k]))) {
        throw new Error(`cannot merge runs with different ${k}: ${JSON.stringify(r.protocol[k])} vs ${JSON.stringify(first.protocol[k])}`);
      }
    }
    for (const s of r.protocol.skipped) skipped.set(s.method, s.reason);
    for (const m of r.methods) {
      const name = r.protocol.viaService ? `${m}-service` : m;
      curves[name] = r.curves[m]!;
      skipped.delete(name);
    }
  }
  // Every method's curves must be the same (task, seed) sequence, or ranks would compare unlike runs.
  const order = (cs: Curve[]) => cs.map((c) => `${c.task}/${c.seed}`).join(',');
  const reference = order(Object.values(curves)[0]!);
  for (const [m, cs] of Object.entries(curves)) if (order(cs) !== reference) throw new Error(`method ${m} has curves for other (task, seed) pairs`);
  return {
    format: 'quality/1',
    suite: first.suite,
    methods: Object.keys(curves),
    budgets: first.budgets,
    protocol: { ...first.protocol, viaService: runs.some((r) => r.protocol.viaService), skipped: [...skipped].map(([method, reason]) => ({ method, reason })) },
    summary: summarize(curves, first.budgets),
    ranks: averageRanks(curves, first.budgets),
    trialsToTarget: trialsToTarget(curves, REFERENCE_METHOD),
    curves,
  };
}

export async function mergeCommand(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } });
  if (!values.out || positionals.length < 2) throw new Error(`give --out and at least two results.json files\n${MERGE_USAGE}`);
  const runs = positionals.map((p) => QualityResultsSchema.parse(JSON.parse(readFileSync(resolve(p), 'utf8'))));
  const merged = mergeResults(runs);
  process.stdout.write(`${summaryTable(merged)}\n`);
  const files = await writeOutputs(resolve(values.out), merged, `npm run bench -- quality-merge ${argv.join(' ')}`);
  log(`wrote ${files.join(', ')}`);
  return 0;
}
