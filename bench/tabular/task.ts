// A suite task as a look-up table: the configs the task evaluated, their values, and the helpers every
// tabular (leave-one-task-out) benchmark needs. Shared by `npm run bench -- quality` and the optimizer
// tests, so both score and build priors the same way.
import { configKey, Encoder, type Config, type Observation, type PriorExperiment } from '../../optimizers/index.ts';
import { rowConfig, taskMetaFeatures, type Suite, type SuiteTask } from '../../src/suites.ts';

export type TabularTask = {
  suite: Suite;
  task: SuiteTask;
  configs: Config[];
  /** configKey → row index, to score a suggested config. */
  rowOf: Map<string, number>;
};

export function tabularTask(suite: Suite, task: SuiteTask): TabularTask {
  const configs = taskConfigs(suite, task);
  return { suite, task, configs, rowOf: new Map(configs.map((c, i) => [configKey(suite.searchSpace, c), i] as const)) };
}

export function taskConfigs(suite: Suite, task: SuiteTask): Config[] {
  return task.configs.map((row) => rowConfig(suite.searchSpace, row));
}

/** Meta-features by name, or null when the suite has none for the task (the optimizer then skips them). */
export function metaFeatureRecord(suite: Suite, task: SuiteTask): Record<string, number> | null {
  return task.metaFeatures ? taskMetaFeatures(suite, task) : null;
}

/** Normalised regret |best − y| / |best − worst| (0 when the table is flat). `best` is the task's best
 * value for the suite's direction, so the absolute difference is direction-aware. */
export function normalizedRegret(task: SuiteTask, y: number): number {
  const range = Math.abs(task.best - task.worst);
  return range > 0 ? Math.min(1, Math.abs(task.best - y) / range) : 0;
}

/** A task as a completed prior experiment: the given rows (default all) with the given values (default
 * the table's; a caller passes permuted values for the unrelated-history test). */
export function taskAsPrior(suite: Suite, task: SuiteTask, values: number[] = task.values, rows?: number[]): PriorExperiment {
  const configs = taskConfigs(suite, task);
  const picked = rows ?? configs.map((_, i) => i);
  const observations: Observation[] = picked.map((r, i) => ({ id: `${task.id}:${r}`, config: configs[r]!, value: values[rows ? i : r]!, state: 'completed' }));
  return { id: task.id, direction: suite.objective.direction, space: suite.searchSpace, metaFeatures: metaFeatureRecord(suite, task), observations };
}

/**
 * Nearest not-yet-evaluated row to a config in the unit-scaled encoding (the one the GP uses), for
 * optimizers that propose off-table points. Ties go to the lowest row so the result is deterministic.
 */
export class RowSnapper {
  private readonly encoder: Encoder;
  private readonly rows: Float64Array[];

  constructor(table: TabularTask) {
    this.encoder = new Encoder(table.suite.searchSpace);
    this.rows = table.configs.map((c) => this.encoder.encode(c));
  }

  nearest(config: Config, evaluated: ReadonlySet<number>): number {
    const x = this.encoder.encode(config);
    let best = -1;
    let bestD = Infinity;
    this.rows.forEach((row, r) => {
      if (evaluated.has(r)) return;
      let d = 0;
      for (let k = 0; k < row.length; k++) d += (row[k]! - x[k]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = r;
      }
    });
    if (best < 0) throw new Error('every row of the table has been evaluated');
    return best;
  }
}
