// The leave-one-task-out protocol: for every target task and seed, draw the priors once, then let every
// method optimise the target's look-up table with the same seed and the same priors.
import type { ModelCache } from '../../optimizers/index.ts';
import type { Suite, SuiteTask } from '../../src/suites.ts';
import { drawPriors } from '../tabular/priors.ts';
import { metaFeatureRecord, tabularTask } from '../tabular/task.ts';
import type { Method } from './method.ts';
import { averageRanks, curveOf, reportBudgets, summarize, trialsToTarget } from './metrics.ts';
import type { Curve, QualityResults } from './schema.ts';

export type QualityOptions = {
  budget: number;
  seeds: number[];
  priorTrials: number;
  shufflePriors: boolean;
  tasks: SuiteTask[];
  /** Our methods ran through the HTTP API and Neo4j rather than in-process. */
  viaService?: boolean;
};

export type { QualityResults } from './schema.ts';

/** Methods whose trials-to-target is measured against: the external baseline. */
export const REFERENCE_METHOD = 'optuna-tpe';

export async function runQuality(
  suite: Suite,
  methods: Method[],
  opts: QualityOptions,
  log: (line: string) => void,
  skipped: { method: string; reason: string }[] = [],
): Promise<QualityResults> {
  const curves: Record<string, Curve[]> = Object.fromEntries(methods.map((m) => [m.name, []]));
  const direction = suite.objective.direction;
  const total = opts.tasks.length * opts.seeds.length;
  let done = 0;
  for (const task of opts.tasks) {
    const table = tabularTask(suite, task);
    for (const seed of opts.seeds) {
      const priors = drawPriors(suite, task, { priorTrials: opts.priorTrials, seed, shuffle: opts.shufflePriors });
      const cache: ModelCache = new Map();
      const parts: string[] = [];
      for (const m of methods) {
        const t0 = performance.now();
        const rows = await m.run({ table, budget: opts.budget, seed, priors, metaFeatures: metaFeatureRecord(suite, task), cache });
        const curve = curveOf(task, direction, seed, rows, opts.budget);
        curves[m.name]!.push(curve);
        parts.push(`${m.name} ${curve.regret.at(-1)!.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
      done++;
      log(`[${done}/${total}] task ${task.id} seed ${seed}: ${parts.join(', ')}`);
    }
  }
  const budgets = reportBudgets(opts.budget);
  return {
    format: 'quality/1',
    suite: suite.name,
    methods: methods.map((m) => m.name),
    budgets,
    protocol: {
      budget: opts.budget,
      seeds: opts.seeds,
      priorTrials: opts.priorTrials,
      shufflePriors: opts.shufflePriors,
      viaService: opts.viaService ?? false,
      tasks: opts.tasks.map((t) => t.id),
      skipped,
    },
    summary: summarize(curves, budgets),
    ranks: averageRanks(curves, budgets),
    trialsToTarget: trialsToTarget(curves, REFERENCE_METHOD),
    curves,
  };
}

/** `--tasks`: a count picks that many tasks evenly spread over the suite (deterministic, not cherry-picked);
 * otherwise a comma-separated list of task ids. */
export function selectTasks(suite: Suite, spec: string | undefined): SuiteTask[] {
  if (!spec) return suite.tasks;
  if (/^\d+$/.test(spec)) {
    const n = Math.min(Number(spec), suite.tasks.length);
    if (n < 1) throw new Error('--tasks must be at least 1');
    return Array.from({ length: n }, (_, k) => suite.tasks[Math.floor((k * suite.tasks.length) / n)]!);
  }
  return spec.split(',').map((id) => {
    const t = suite.tasks.find((x) => x.id === id.trim());
    if (!t) throw new Error(`no task '${id.trim()}' in suite ${suite.name}`);
    return t;
  });
}
