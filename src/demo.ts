/**
 * The demo knowledge base: prior experiments from a shared tabular benchmark suite, loaded through the
 * public import path, and one short warm-started experiment run through the suggestion service, so a
 * fresh graph has history, similarity and provenance (SUGGESTED_FROM, WARM_STARTED_FROM) to explore
 * in Neo4j Browser. It only ever writes into an empty graph unless forced.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { countExperiments } from '../graph/browser/knowledge-base.ts';
import type { Graph } from '../graph/driver.ts';
import { createDataset } from '../graph/repositories/datasets.ts';
import { changeStatus, createExperiment } from '../graph/repositories/experiments.ts';
import { ensureProject } from '../graph/repositories/projects.ts';
import { completeTrial } from '../graph/repositories/trials.ts';
import { DatasetInput, ExperimentInput } from '../graph/model.ts';
import { Encoder } from '../optimizers/encoding.ts';
import { Rng } from '../optimizers/random.ts';
import type { Config, SearchSpace } from '../optimizers/schema.ts';
import { OPTIMIZER_VERSION } from '../optimizers/version.ts';
import { ConfigError } from './config.ts';
import { DEFAULT_PROJECT } from '../graph/repositories/projects.ts';
import { EXPORT_FORMAT } from './schemas/transfer.ts';
import { SuggestionService } from './services/suggestions.ts';
import { runImport } from './services/transfer.ts';
import { metaFeatureEmbedding } from './similarity/embedding.ts';
import { findSuite, readSuite, rowConfig, suiteCandidates, taskMetaFeatures, type Suite, type SuiteTask } from './suites.ts';

export const DEMO_SUITE = 'ecml2016-svm';
/** The task the warm-started experiment runs on; the other tasks of the suite are its priors. */
const HELD_OUT = 'australian';
/** Table rows imported per prior task: the same rows for every task, so one Config node is evaluated on many datasets. */
const PRIOR_TRIALS = 48;
const TAGS = ['demo', DEMO_SUITE];

export interface DemoOptions {
  /** Project the demo writes into. */
  project?: string;
  /** Load even when the graph already holds experiments. */
  force?: boolean;
  /**
   * Where "empty" is judged: the whole database (what `npm start` means by a fresh graph), or only
   * the target project (for callers that share a database with others, such as the tests).
   */
  scope?: 'database' | 'project';
  /** Folders searched for the suite file (default: $PRECEDENT_SUITES, then the repository's bench/suites). */
  suiteDirs?: string[];
  /** Prior experiments to import (other tasks of the suite). */
  priors?: number;
  /** Ask/tell rounds of the warm-started experiment. */
  rounds?: number;
  log?: (line: string) => void;
}

export type DemoResult =
  | { status: 'skipped'; reason: 'not-empty' | 'no-suite'; message: string }
  | {
      status: 'loaded';
      projectId: string;
      priorExperimentIds: string[];
      importedTrials: number;
      experimentId: string;
      experimentName: string;
      best: number;
      tableBest: number;
      seconds: number;
    };

/** PRECEDENT_DEMO=off keeps `npm start` from loading the demo into an empty graph. */
export function demoEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const parsed = z
    .enum(['on', 'off'])
    .default('on')
    .safeParse(env.PRECEDENT_DEMO === '' ? undefined : env.PRECEDENT_DEMO);
  if (!parsed.success) throw new ConfigError([{ variable: 'PRECEDENT_DEMO', reason: 'must be on or off', value: env.PRECEDENT_DEMO }]);
  return parsed.data === 'on';
}

/**
 * A stable UUID per project and suite task, so importing the demo again into the same project is a
 * no-op. The project is part of it so that demos loading into different projects never race for one id.
 */
function demoId(projectId: string, suite: string, task: string): string {
  const h = createHash('sha256').update(`precedent-demo/${projectId}/${suite}/${task}`).digest('hex').split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** JSON Lines in the export format: each prior task as a finished experiment with a fixed sample of its table. */
function priorLines(projectId: string, suite: Suite, tasks: SuiteTask[], rows: number[]): string {
  return tasks
    .map((task) =>
      JSON.stringify({
        format: EXPORT_FORMAT,
        dataset: {
          name: task.name,
          taskType: 'classification',
          description: `Task "${task.id}" of the ${suite.name} benchmark suite (tabular: every configuration's value is looked up).`,
          metaFeatures: taskMetaFeatures(suite, task),
        },
        experiment: {
          id: demoId(projectId, suite.name, task.id),
          name: `svm on ${task.name}`,
          model: { name: 'svm', library: 'libsvm', family: 'kernel' },
          searchSpace: suite.searchSpace,
          objective: { metric: suite.objective.name, direction: suite.objective.direction },
          seed: 1,
          tags: TAGS,
        },
        trials: rows.map((row, n) => ({ number: n, state: 'completed', config: rowConfig(suite.searchSpace, task.configs[row]!), value: task.values[row] })),
      }),
    )
    .join('\n');
}

/**
 * The table holds a grid while the optimizer searches the continuous space, so a suggestion is
 * scored with the value of the nearest grid configuration (in the optimizer's own unit encoding).
 */
function tableLookup(suite: Suite, task: SuiteTask): (config: Config) => number {
  const space = suite.searchSpace as SearchSpace;
  const encoder = new Encoder(space);
  const points = task.configs.map((row) => encoder.encode(rowConfig(space, row)));
  return (config) => {
    const x = encoder.encode(config);
    let best = 0;
    let bestDistance = Infinity;
    points.forEach((p, i) => {
      let d = 0;
      for (let k = 0; k < p.length; k++) d += (p[k]! - x[k]!) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    return task.values[best]!;
  };
}

export async function loadDemo(graph: Graph, opts: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const projectName = opts.project ?? DEFAULT_PROJECT;
  const dirs = opts.suiteDirs ?? suiteCandidates();

  if (!opts.force) {
    const existing = await countExperiments(graph, opts.scope === 'project' ? projectName : undefined);
    if (existing > 0) {
      const where = opts.scope === 'project' ? `project "${projectName}"` : 'the graph';
      return {
        status: 'skipped',
        reason: 'not-empty',
        message: `${where} already holds ${existing} experiment(s); the demo only loads into an empty one (--force loads it anyway)`,
      };
    }
  }
  const file = findSuite(DEMO_SUITE, dirs);
  if (!file)
    return { status: 'skipped', reason: 'no-suite', message: `benchmark suite ${DEMO_SUITE}.json not found (looked in ${dirs.join(', ')}); demo skipped` };

  const suite = readSuite(file);
  const held = suite.tasks.find((t) => t.name === HELD_OUT) ?? suite.tasks[0]!;
  const priorTasks = suite.tasks.filter((t) => t !== held).slice(0, opts.priors ?? 12);
  // One seeded sample of table rows shared by every prior (a partial grid search run on each dataset).
  const rng = new Rng(7);
  const order = held.configs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const rows = order.slice(0, Math.min(PRIOR_TRIALS, order.length));

  const project = await ensureProject(graph, projectName);
  const imported = await runImport(graph, project.id, priorLines(project.id, suite, priorTasks, rows));
  const created = imported.experiments.filter((e) => e.status === 'created').length;
  log(
    created === imported.experiments.length
      ? `demo: imported ${created} prior experiments (${imported.trials} trials) from ${suite.name} in ${imported.seconds.toFixed(1)} s`
      : `demo: ${imported.experiments.length - created} of ${imported.experiments.length} prior experiments from ${suite.name} were already there; imported ${created}`,
  );

  const metaFeatures = taskMetaFeatures(suite, held);
  const { dataset } = await createDataset(graph, project.id, {
    ...DatasetInput.parse({
      name: held.name,
      taskType: 'classification',
      description: `Task "${held.id}" of the ${suite.name} benchmark suite, held back from the priors.`,
      metaFeatures,
    }),
    embedding: metaFeatureEmbedding(metaFeatures),
  });
  const experiment = await createExperiment(graph, project.id, {
    ...ExperimentInput.parse({
      name: `svm on ${held.name} (warm-started)`,
      datasetId: dataset.id,
      model: { name: 'svm', library: 'libsvm', family: 'kernel' },
      searchSpace: suite.searchSpace,
      objective: { metric: suite.objective.name, direction: suite.objective.direction },
      warmStart: { mode: 'auto', maxPriors: 5 },
      tags: TAGS,
    }),
    seed: 1,
    optimizerVersion: OPTIMIZER_VERSION,
  });

  const resultOf = tableLookup(suite, held);
  const service = new SuggestionService(graph);
  const rounds = opts.rounds ?? 8;
  const better = (a: number, b: number) => (suite.objective.direction === 'maximize' ? a > b : a < b);
  let best = Number.NaN;
  try {
    for (let r = 0; r < rounds; r++) {
      const {
        trials: [trial],
      } = await service.suggest(project.id, experiment.id, 1);
      if (!trial) break;
      const value = resultOf(trial.config);
      if (Number.isNaN(best) || better(value, best)) best = value;
      await completeTrial(graph, project.id, trial.id, { value });
    }
  } finally {
    await service.close();
  }
  await changeStatus(graph, project.id, experiment.id, 'finish');
  const seconds = (performance.now() - started) / 1000;
  log(
    `demo: "${experiment.name}" ran ${rounds} warm-started ask/tell rounds: best ${suite.objective.name} ${best.toFixed(4)} (best in the table ${held.best}); ${seconds.toFixed(1)} s in all`,
  );
  return {
    status: 'loaded',
    projectId: project.id,
    priorExperimentIds: imported.experiments.map((e) => e.experimentId),
    importedTrials: imported.trials,
    experimentId: experiment.id,
    experimentName: experiment.name,
    best,
    tableBest: held.best,
    seconds,
  };
}
