// The leave-one-task-out protocol: for every target task and seed, draw the priors once, then let every
// method optimise the target's look-up table with the same seed and the same priors.
import { ModelCache } from '../../optimizers/index.ts';
import { Rng } from '../../optimizers/index.ts';
import type { Suite, SuiteTask } from '../../src/suites.ts';
import { drawPriors, type PriorExperimentCount } from '../tabular/priors.ts';
import { metaFeatureRecord, tabularTask } from '../tabular/task.ts';
import { formatDuration } from './environment.ts';
import type { Method } from './method.ts';
import { averageRanks, curveOf, reportBudgets, summarize, trialsToTarget } from './metrics.ts';
import type { PartialRuns } from './partial.ts';
import type { Curve, QualityResults } from './schema.ts';

export type QualityOptions = {
  budget: number;
  seeds: number[];
  priorTrials: number;
  shufflePriors: boolean;
  tasks: SuiteTask[];
  /** Our methods ran through the HTTP API and Neo4j rather than in-process. */
  viaService?: boolean;
  /** Other tasks drawn per (target, seed) as the history; default all (`--prior-experiments`). */
  priorExperiments?: PriorExperimentCount;
  /** Things to record in the results (e.g. a suite without meta-features). */
  warnings?: string[];
};

/** How a run is carried out, not what it measures. */
export type RunControl = {
  /** Runs already done are taken from it, and every new run is appended to it as it finishes. */
  partial?: PartialRuns;
  /** Stop after this many new (method, task, seed) runs (the rest later with `--resume`). */
  stopAfter?: number;
};

export type { QualityResults } from './schema.ts';

/** Methods whose trials-to-target is measured against: the external baseline. */
export const REFERENCE_METHOD = 'optuna-tpe';

/** The (method, task, seed) runs of the protocol as curves, or null when `stopAfter` stopped it first. */
export async function runCurves(
  suite: Suite,
  methods: Method[],
  opts: QualityOptions,
  log: (line: string) => void,
  control: RunControl = {},
): Promise<Record<string, Curve[]> | null> {
  const curves: Record<string, Curve[]> = Object.fromEntries(methods.map((m) => [m.name, []]));
  const direction = suite.objective.direction;
  const pairs = opts.tasks.length * opts.seeds.length;
  const totalRuns = pairs * methods.length;
  const t0 = performance.now();
  let done = 0;
  let runsDone = 0;
  let newRuns = 0;
  for (const task of opts.tasks) {
    const table = tabularTask(suite, task);
    for (const seed of opts.seeds) {
      const parts: string[] = [];
      let priors: ReturnType<typeof drawPriors> | undefined;
      const cache = new ModelCache();
      for (const m of methods) {
        const previous = control.partial?.get(m.name, task.id, seed);
        if (previous) {
          curves[m.name]!.push(previous.curve);
          runsDone++;
          continue;
        }
        if (control.stopAfter !== undefined && newRuns >= control.stopAfter) {
          log(`stopped after ${newRuns} new run(s) (--stop-after); continue with --resume`);
          return null;
        }
        priors ??= drawPriors(suite, task, {
          priorTrials: opts.priorTrials,
          seed,
          shuffle: opts.shufflePriors,
          priorExperiments: opts.priorExperiments ?? 'all',
        });
        const t = performance.now();
        const rows = await m.run({ table, budget: opts.budget, seed, priors, metaFeatures: metaFeatureRecord(suite, task), cache });
        const curve = curveOf(task, direction, seed, rows, opts.budget);
        const seconds = (performance.now() - t) / 1000;
        control.partial?.add(m.name, curve, seconds);
        curves[m.name]!.push(curve);
        runsDone++;
        newRuns++;
        parts.push(`${m.name} ${curve.regret.at(-1)!.toFixed(4)} (${seconds.toFixed(1)} s)`);
      }
      done++;
      if (parts.length) {
        const elapsed = (performance.now() - t0) / 1000;
        const eta = (elapsed / newRuns) * (totalRuns - runsDone);
        log(`[${done}/${pairs}] task ${task.id} seed ${seed}: ${parts.join(', ')} | elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`);
      }
    }
  }
  return curves;
}

export async function runQuality(
  suite: Suite,
  methods: Method[],
  opts: QualityOptions,
  log: (line: string) => void,
  skipped: { method: string; reason: string }[] = [],
  control: RunControl = {},
): Promise<QualityResults | null> {
  const curves = await runCurves(suite, methods, opts, log, control);
  return curves && qualityResults(suite, methods, opts, curves, skipped);
}

export function qualityResults(
  suite: Suite,
  methods: Method[],
  opts: QualityOptions,
  curves: Record<string, Curve[]>,
  skipped: { method: string; reason: string }[] = [],
): QualityResults {
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
      priorExperiments: opts.priorExperiments ?? 'all',
      ...(opts.warnings?.length ? { warnings: opts.warnings } : {}),
      skipped,
    },
    summary: summarize(curves, budgets),
    ranks: averageRanks(curves, budgets),
    trialsToTarget: trialsToTarget(curves, REFERENCE_METHOD),
    curves,
  };
}

/** The protocol options a `--resume` must repeat exactly (the methods too: the partial file is per method). */
export function resumeOptions(suite: Suite, methods: Method[], opts: QualityOptions): Record<string, unknown> {
  return {
    suite: suite.name,
    methods: methods.map((m) => m.name),
    budget: opts.budget,
    seeds: opts.seeds,
    priorTrials: opts.priorTrials,
    priorExperiments: opts.priorExperiments ?? 'all',
    shufflePriors: opts.shufflePriors,
    viaService: opts.viaService ?? false,
    tasks: opts.tasks.map((t) => t.id),
  };
}

/**
 * `--tasks`: a count N takes the first N tasks of one fixed, seeded order of the suite (so the tasks of
 * `--tasks 8` are among those of `--tasks 12`, and runs of different sizes pair up), listed in suite
 * order; otherwise a comma-separated list of task ids. Before this, a count spread the tasks evenly over
 * the suite: results made that way list their tasks in `protocol.tasks`, and `--tasks <id,id,…>` repeats them.
 */
export function selectTasks(suite: Suite, spec: string | undefined): SuiteTask[] {
  if (!spec) return suite.tasks;
  if (/^\d+$/.test(spec)) {
    const n = Math.min(Number(spec), suite.tasks.length);
    if (n < 1) throw new Error('--tasks must be at least 1');
    const picked = new Set(taskOrder(suite).slice(0, n));
    return suite.tasks.filter((t) => picked.has(t.id));
  }
  return spec.split(',').map((id) => {
    const t = suite.tasks.find((x) => x.id === id.trim());
    if (!t) throw new Error(`no task '${id.trim()}' in suite ${suite.name}`);
    return t;
  });
}

/** The suite's task ids in the fixed seeded order whose prefixes `--tasks N` takes. */
export function taskOrder(suite: Suite): string[] {
  return Rng.from(0, 'task-order', suite.name).shuffle(suite.tasks.map((t) => t.id));
}
