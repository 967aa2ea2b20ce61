// `npm run bench -- knowledge-curve`: how much history it takes before warm starting pays, and whether it
// ever costs. Cold gp is K = 0; transfer runs with K = 1, 2, 4, … other tasks as the history, drawn per
// (target, seed) and nested (`priorExperimentIds`), so every point is paired with gp and with the others.
// Everything else is the quality protocol (`runRecorded`: partial file, --resume, recorded environment).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { readSuite } from '../../src/suites.ts';
import { priorExperimentIds, parsePriorExperiments, type PriorExperimentCount } from '../tabular/priors.ts';
import { positiveInt } from './command.ts';
import { environmentLine } from './environment.ts';
import type { Method } from './method.ts';
import { meanAndStandardError } from './metrics.ts';
import { gpMethod, transferMethod } from './ours.ts';
import { pairedDifferences, type PairedRow, worstAndBeyond } from './paired.ts';
import { REGRET_FLOOR } from './plot.ts';
import { warningsList } from './report.ts';
import { selectTasks } from './run.ts';
import { finishRecorded, metaFeatureWarnings, runRecorded } from './runner.ts';
import { QualityResultsSchema, type QualityResults } from './schema.ts';
import { type SeedNoise, seedNoise } from './seed-noise.ts';

export const KNOWLEDGE_USAGE = `npm run bench -- knowledge-curve --suite <path> [--ks 0,1,2,4,8,all] [--tasks <count>|<id,id,…>] [--seeds 5] [--budget 50]
    [--prior-trials 100] [--out <dir>] [--resume] [--stop-after <runs>]`;

/** Regret budgets on the curve (those ≤ --budget). */
export const CURVE_BUDGETS = [5, 10, 25];

/** The budget of the "pays at K = 1, 2" check. */
const EARLY_BUDGET = 10;

export type MeanSe = { mean: number; standardError: number };

export type KnowledgePoint = {
  k: PriorExperimentCount;
  label: string;
  method: string;
  /** Prior experiments per (target, seed): K, or every other task for 'all'. */
  priors: number;
  regret: Record<string, MeanSe>;
};

export type NoCostCheck = {
  k: PriorExperimentCount;
  method: string;
  pairs: number;
  /** The budget where (transfer − gp) / SE is largest. */
  worst: PairedRow & { z: number };
  /** transfer − gp ≤ 1 SE at every budget 1…budget. */
  withinOneSe: boolean;
  /** Budgets where transfer − gp > 1 SE. */
  beyond: number[];
  /** The worst budget, or the number of budgets beyond 1 SE, is above its 95th percentile for gp against itself (null: one seed, no reference). */
  beyondNoise: boolean | null;
};

export type EarlyCheck = { k: PriorExperimentCount; method: string; budget: number; transfer: number; gp: number; ratio: number; diff: PairedRow };

export type KnowledgeCurve = {
  ks: PriorExperimentCount[];
  budgets: number[];
  points: KnowledgePoint[];
  noCost: NoCostCheck[];
  /** gp against itself across seeds: what the no-cost statistic reads when there is no difference. */
  noise: SeedNoise | null;
  early: EarlyCheck[];
};

export type KnowledgeResults = QualityResults & { knowledgeCurve: KnowledgeCurve };

export function transferMethodName(k: PriorExperimentCount): string {
  return k === 'all' ? 'transfer-all' : `transfer-k${k}`;
}

/** `transfer` with only K of the other tasks as its history (the run's priors are all of them). */
export function transferWith(k: PriorExperimentCount): Method {
  return {
    name: transferMethodName(k),
    run: (ctx) => {
      const ids = new Set(priorExperimentIds(ctx.table.suite, ctx.table.task, k, ctx.seed));
      return transferMethod.run({ ...ctx, priors: ctx.priors.filter((p) => ids.has(p.id)) });
    },
  };
}

export function parseKs(spec: string, otherTasks: number): PriorExperimentCount[] {
  const ks: PriorExperimentCount[] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (!part) continue;
    const k = parsePriorExperiments(part);
    if (k !== 'all' && k > otherTasks) throw new Error(`--ks: ${k} is more than the ${otherTasks} other tasks of the suite`);
    if (!ks.includes(k)) ks.push(k);
  }
  if (!ks.some((k) => k !== 0)) throw new Error('--ks needs at least one K ≥ 1 (K = 0 is gp, which always runs)');
  return ks;
}

function label(k: PriorExperimentCount, others: number): string {
  return k === 0 ? '0 (gp)' : k === 'all' ? `all (${others})` : String(k);
}

/** Figures of the knowledge curve from a run's curves: the mean ± SE per K, and the paired checks against gp. */
export function knowledgeCurve(r: QualityResults, ks: PriorExperimentCount[], otherTasks: number): KnowledgeCurve {
  const budgets = CURVE_BUDGETS.filter((b) => b <= r.protocol.budget);
  const withGp: PriorExperimentCount[] = [0, ...ks.filter((k) => k !== 0)];
  const points = withGp.map((k): KnowledgePoint => {
    const method = k === 0 ? 'gp' : transferMethodName(k);
    const curves = r.curves[method]!;
    return {
      k,
      label: label(k, otherTasks),
      method,
      priors: k === 'all' ? otherTasks : k,
      regret: Object.fromEntries(budgets.map((b) => [String(b), meanAndStandardError(curves.map((c) => c.regret[b - 1]!))])),
    };
  });
  const every = Array.from({ length: r.protocol.budget }, (_, i) => i + 1);
  const noise = seedNoise(r, 'gp');
  const noCost = withGp
    .filter((k) => k !== 0)
    .map((k): NoCostCheck => {
      const method = transferMethodName(k);
      // As the seed-noise reference reads gp against itself (pairedExtremes).
      const { worst, beyond } = worstAndBeyond(pairedDifferences(r, 'gp', method, every));
      return {
        k,
        method,
        pairs: worst.pairs,
        worst,
        withinOneSe: beyond.length === 0,
        beyond,
        beyondNoise: noise ? worst.z > noise.worstZ.p95 || beyond.length > noise.budgetsBeyond.p95 : null,
      };
    });
  const early =
    r.protocol.budget >= EARLY_BUDGET
      ? withGp
          .filter((k) => k === 1 || k === 2)
          .map((k): EarlyCheck => {
            const method = transferMethodName(k);
            const transfer = r.summary[method]![String(EARLY_BUDGET)] ?? meanAt(r, method, EARLY_BUDGET);
            const gp = r.summary.gp![String(EARLY_BUDGET)] ?? meanAt(r, 'gp', EARLY_BUDGET);
            return { k, method, budget: EARLY_BUDGET, transfer, gp, ratio: transfer / gp, diff: pairedDifferences(r, 'gp', method, [EARLY_BUDGET])[0]! };
          })
      : [];
  return { ks: withGp, budgets, points, noCost, noise, early };
}

function meanAt(r: QualityResults, method: string, budget: number): number {
  return meanAndStandardError(r.curves[method]!.map((c) => c.regret[budget - 1]!)).mean;
}

const f4 = (v: number) => v.toFixed(4);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
const z2 = (z: number) => (Number.isFinite(z) ? `${z >= 0 ? '+' : '−'}${Math.abs(z).toFixed(2)}` : z > 0 ? '+∞' : '−∞');

export function knowledgeTable(kc: KnowledgeCurve): string {
  const head = ['K (prior experiments)', 'method', ...kc.budgets.map((b) => `regret@${b} ± SE`)];
  const rows = kc.points.map(
    (p) =>
      `| ${p.label} | ${p.method} | ${kc.budgets.map((b) => `${f4(p.regret[String(b)]!.mean)} ± ${f4(p.regret[String(b)]!.standardError)}`).join(' | ')} |`,
  );
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows].join('\n');
}

export function noCostTable(kc: KnowledgeCurve, budget: number): string {
  const head = [
    'K',
    'pairs',
    `worst budget (of 1–${budget})`,
    'transfer − gp there',
    'SE',
    'diff / SE',
    'diff ≤ 1 SE at every budget',
    'budgets beyond 1 SE',
    "beyond gp's own noise",
  ];
  const noise = (c: NoCostCheck) => (c.beyondNoise === null ? '—' : c.beyondNoise ? '**yes**' : 'no');
  const rows = kc.noCost.map(
    (c) =>
      `| ${c.k} | ${c.pairs} | ${c.worst.budget} | ${signed(c.worst.meanDiff)} | ${f4(c.worst.standardError)} | ${z2(c.worst.z)} | ${c.withinOneSe ? 'yes' : '**no**'} | ${c.beyond.length ? compactRanges(c.beyond) : '—'} | ${noise(c)} |`,
  );
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows].join('\n');
}

/** What the no-cost statistic reads for gp against itself, as a sentence (empty with one seed). */
export function noiseLine(kc: KnowledgeCurve): string {
  const n = kc.noise;
  if (!n) return '';
  const pct = Math.round(n.withinOneSe * 100);
  return `gp against itself (its runs of one task paired across seeds, ${n.pairs} pairs, ${n.pairings} random pairings): no budget beyond 1 SE in ${pct}% of pairings; the worst budget is ${z2(n.worstZ.median)} SE at the median, ${z2(n.worstZ.p90)} at the 90th percentile and ${z2(n.worstZ.p95)} at the 95th; budgets beyond 1 SE: ${n.budgetsBeyond.median} at the median, ${n.budgetsBeyond.p95} at the 95th percentile. "Beyond gp's own noise": transfer's worst budget or its number of budgets beyond 1 SE is above the 95th percentile of gp against itself.`;
}

export function earlyTable(kc: KnowledgeCurve): string {
  if (!kc.early.length) return '';
  const b = kc.early[0]!.budget;
  const head = ['K', `transfer@${b}`, `gp@${b}`, 'ratio', 'paired transfer − gp ± SE'];
  const rows = kc.early.map(
    (e) => `| ${e.k} | ${f4(e.transfer)} | ${f4(e.gp)} | ${e.ratio.toFixed(2)} | ${signed(e.diff.meanDiff)} ± ${f4(e.diff.standardError)} |`,
  );
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows].join('\n');
}

/** 1,2,3,7,8 → "1–3, 7–8". */
export function compactRanges(v: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < v.length; ) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j]! + 1) j++;
    out.push(i === j ? String(v[i]) : `${v[i]}–${v[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

export function knowledgeMarkdown(r: KnowledgeResults, command: string): string {
  const p = r.protocol;
  const kc = r.knowledgeCurve;
  const skipped = p.skipped.map((s) => `- skipped **${s.method}**: ${s.reason}`).join('\n');
  const notes = [warningsList(r), skipped].filter(Boolean).join('\n');
  const early = earlyTable(kc);
  return `# Knowledge curve: ${r.suite}

\`${command}\`

${environmentLine(r.environment)}

Leave one task out on ${p.tasks.length} task(s) × ${p.seeds.length} seed(s) (${p.seeds.join(', ')}); budget ${p.budget}. For each
(target, seed), K other tasks drawn at random (seeded by seed and target; the tasks of a smaller K are among those of a larger
one) are the history, each with ${p.priorTrials} seeded evaluations${p.shufflePriors ? ', **values permuted**' : ''}. K = 0 is cold \`gp\`;
every other K is \`transfer\` (warm design, then the RGPE surrogate). Mean normalised regret over tasks × seeds ± its standard
error (over the ${p.tasks.length * p.seeds.length} runs, seeds of one task counted as independent).

${knowledgeTable(kc)}
${notes ? `\n${notes}\n` : ''}
**No cost** — transfer − gp paired over the (task, seed) runs at every budget 1–${p.budget}; the worst budget is where the
mean difference is the most standard errors above 0 (positive: transfer worse).

${noCostTable(kc, p.budget)}
${kc.noise ? `\n${noiseLine(kc)}\n` : ''}${early ? `\n**Pays early** — transfer@${kc.early[0]!.budget} against gp@${kc.early[0]!.budget} with one and two prior experiments:\n\n${early}\n` : ''}
Tasks: ${p.tasks.join(', ')}

![knowledge curve](knowledge-curve.svg)
`;
}

export function knowledgeSpec(r: KnowledgeResults): TopLevelSpec {
  const kc = r.knowledgeCurve;
  const labels = kc.points.map((p) => p.label);
  const values = kc.points.flatMap((p) =>
    kc.budgets.map((b) => {
      const { mean, standardError } = p.regret[String(b)]!;
      return {
        K: p.label,
        budget: `regret@${b}`,
        regret: Math.max(mean, REGRET_FLOOR),
        lo: Math.max(mean - standardError, REGRET_FLOOR),
        hi: Math.max(mean + standardError, REGRET_FLOOR),
      };
    }),
  );
  const x = { field: 'K', type: 'ordinal' as const, sort: labels, title: 'prior experiments K (0 = cold gp)', axis: { labelAngle: 0 } };
  const color = { field: 'budget', type: 'nominal' as const, sort: kc.budgets.map((b) => `regret@${b}`), title: 'budget' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${r.suite}: regret against history (${r.protocol.tasks.length} tasks × ${r.protocol.seeds.length} seeds, ± 1 SE)`,
    width: 560,
    height: 340,
    data: { values },
    encoding: { x, color },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { y: { field: 'regret', type: 'quantitative', scale: { type: 'log' }, title: `mean normalised regret (log; 0 drawn at ${REGRET_FLOOR})` } },
      },
      { mark: { type: 'rule' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

export async function knowledgeSvg(r: KnowledgeResults): Promise<string> {
  const view = new View(parse(compile(knowledgeSpec(r)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function knowledgeCommand(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' },
      ks: { type: 'string', default: '0,1,2,4,8,all' },
      budget: { type: 'string', default: '50' },
      seeds: { type: 'string', default: '5' },
      'prior-trials': { type: 'string', default: '100' },
      tasks: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      'stop-after': { type: 'string' },
    },
  });
  if (!values.suite) throw new Error(`--suite is required\n${KNOWLEDGE_USAGE}`);
  const suite = readSuite(resolve(values.suite));
  const otherTasks = suite.tasks.length - 1;
  const ks = parseKs(values.ks, otherTasks);
  const budget = positiveInt('budget', values.budget);
  const seeds = Array.from({ length: positiveInt('seeds', values.seeds) }, (_, i) => i + 1);
  const priorTrials = positiveInt('prior-trials', values['prior-trials']);
  const tasks = selectTasks(suite, values.tasks);
  const stopAfter = values['stop-after'] === undefined ? undefined : positiveInt('stop-after', values['stop-after']);
  const out = resolve(values.out ?? `bench/out/knowledge-curve-${suite.name}`);
  const methods = [gpMethod, ...ks.filter((k) => k !== 0).map(transferWith)];
  const warnings = metaFeatureWarnings(suite, ['transfer']);
  for (const w of warnings) log(`warning: ${w}`);
  log(
    `knowledge-curve: ${suite.name}, ${tasks.length} task(s) × ${seeds.length} seed(s), budget ${budget}, K = ${ks.join(', ')}; methods ${methods.map((m) => m.name).join(', ')}`,
  );
  const command = `knowledge-curve ${argv.join(' ')}`;
  const results = await runRecorded(
    suite,
    methods,
    { budget, seeds, priorTrials, shufflePriors: false, tasks, warnings },
    { out, resume: values.resume, ...(stopAfter !== undefined ? { stopAfter } : {}), command, python: null, log },
  );
  if (!results) return 0;
  const kr: KnowledgeResults = { ...results, knowledgeCurve: knowledgeCurve(results, ks, otherTasks) };
  await writeKnowledge(kr, out, `npm run bench -- ${command}`, log);
  finishRecorded(out);
  return 0;
}

async function writeKnowledge(kr: KnowledgeResults, out: string, command: string, log: (line: string) => void): Promise<void> {
  const kc = kr.knowledgeCurve;
  const files = { 'results.json': `${JSON.stringify(kr)}\n`, 'summary.md': knowledgeMarkdown(kr, command), 'knowledge-curve.svg': await knowledgeSvg(kr) };
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  process.stdout.write(`${knowledgeTable(kc)}\n\n${noCostTable(kc, kr.protocol.budget)}\n\n${noiseLine(kc)}\n\n${earlyTable(kc)}\n`);
  log(
    `wrote ${Object.keys(files)
      .map((f) => join(out, f))
      .join(', ')}`,
  );
}

const KSchema = z.union([z.number().int().nonnegative(), z.literal('all')]);
/** What knowledge-report needs of a stored curve: its Ks, and the number of other tasks behind 'all'. */
const StoredCurveSchema = z.object({ knowledgeCurve: z.object({ ks: z.array(KSchema), points: z.array(z.object({ k: KSchema, priors: z.number() })) }) });

export const KNOWLEDGE_REPORT_USAGE =
  'npm run bench -- knowledge-report <dir with a knowledge-curve results.json>   (recomputes its figures, summary.md and plot; runs nothing)';

/** Rewrites a finished knowledge curve's figures, summary and plot from its curves, e.g. after the report changed. */
export async function knowledgeReportCommand(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  if (argv.length !== 1) {
    process.stderr.write(`usage: ${KNOWLEDGE_REPORT_USAGE}\n`);
    return 2;
  }
  const out = resolve(argv[0]!);
  const file = join(out, 'results.json');
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const results = QualityResultsSchema.parse(raw);
  const stored = StoredCurveSchema.safeParse(raw);
  if (!stored.success) throw new Error(`${file} is not a knowledge-curve result (it has no knowledgeCurve with its ks and points)`);
  const { ks, points } = stored.data.knowledgeCurve;
  // Without an 'all' point the label that needs the count of other tasks never shows.
  const otherTasks = points.find((p) => p.k === 'all')?.priors ?? 0;
  const kr: KnowledgeResults = { ...results, knowledgeCurve: knowledgeCurve(results, ks, otherTasks) };
  const command = results.environment?.command ? `npm run bench -- ${results.environment.command}` : 'npm run bench -- knowledge-curve';
  await writeKnowledge(kr, out, command, log);
  return 0;
}
