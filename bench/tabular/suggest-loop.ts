// Our optimizer on one look-up task: ask suggest() for one config at a time, restricted to the task's
// rows (`candidates`), and complete it with the table's value. Shared by the quality benchmark and the
// optimizer's tabular tests.
import { suggest, type ModelCache, type Observation, type PriorExperiment, type Settings } from '../../optimizers/index.ts';
import { configKey } from '../../optimizers/index.ts';
import type { TabularTask } from './task.ts';

export type SuggestLoopArgs = {
  table: TabularTask;
  budget: number;
  seed: number;
  priors?: PriorExperiment[];
  metaFeatures?: Record<string, number> | null;
  /** Prior-model fits shared across runs (content-hashed, so safe to share); see below for the target entry. */
  cache?: ModelCache;
  /** Settings for trial t (0-based), so a method can switch strategy after its initial design. */
  settingsAt?: (t: number) => Settings | undefined;
};

export type SuggestLoopRun = { rows: number[]; strategies: string[] };

export function runSuggestLoop(args: SuggestLoopArgs): SuggestLoopRun {
  const { table } = args;
  const space = table.suite.searchSpace;
  // Shared between runs: every entry is keyed by what determines it, so a hit equals recomputing.
  const cache = args.cache;
  const observations: Observation[] = [];
  const rows: number[] = [];
  const strategies: string[] = [];
  const budget = Math.min(args.budget, table.configs.length);
  for (let t = 0; t < budget; t++) {
    const settings = args.settingsAt?.(t);
    const [s] = suggest(
      {
        space,
        direction: table.suite.objective.direction,
        observations,
        count: 1,
        seed: args.seed,
        candidates: table.configs,
        ...(args.priors ? { priors: args.priors } : {}),
        ...(args.metaFeatures !== undefined ? { metaFeatures: args.metaFeatures } : {}),
        ...(settings ? { settings } : {}),
      },
      cache ? { cache } : {},
    );
    const row = table.rowOf.get(configKey(space, s!.config));
    if (row === undefined) throw new Error(`suggested a config outside the menu: ${JSON.stringify(s!.config)}`);
    observations.push({ config: s!.config, value: table.task.values[row]!, state: 'completed' });
    rows.push(row);
    strategies.push(s!.provenance.strategy);
  }
  return { rows, strategies };
}
