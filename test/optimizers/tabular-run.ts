// Shared driver for the tabular (look-up) benchmark tests: run the optimizer on one task of a suite,
// restricted to that task's configs, and report the normalised simple regret after each trial.
import { configKey, suggest, type ModelCache, type Observation, type PriorExperiment, type Settings } from '../../optimizers/index.ts';
import { metaFeatureRecord, normalizedRegret, taskConfigs, type Suite, type Task } from '../helpers/suites.ts';

export type TabularRun = { regret: number[]; strategies: string[] };

export function runTabular(args: {
  suite: Suite;
  task: Task;
  budget: number;
  seed: number;
  priors?: PriorExperiment[];
  withMetaFeatures?: boolean;
  cache?: ModelCache;
  settings?: Settings;
}): TabularRun {
  const { suite, task } = args;
  const configs = taskConfigs(suite, task);
  const valueOf = new Map(configs.map((c, i) => [configKey(suite.searchSpace, c), task.values[i]!] as const));
  // The caller's cache is shared across runs for the prior models (content-hashed, safe to share); the
  // target-hyperparameter entry belongs to one experiment, so each run gets its own copy without it.
  const cache: ModelCache | undefined = args.cache ? new Map([...args.cache].filter(([k]) => k.startsWith('prior:'))) : undefined;
  const observations: Observation[] = [];
  const regret: number[] = [];
  const strategies: string[] = [];
  let best = suite.objective.direction === 'maximize' ? -Infinity : Infinity;
  for (let t = 0; t < args.budget; t++) {
    const [s] = suggest(
      {
        space: suite.searchSpace,
        direction: suite.objective.direction,
        observations,
        count: 1,
        seed: args.seed,
        candidates: configs,
        ...(args.priors ? { priors: args.priors } : {}),
        ...(args.withMetaFeatures ? { metaFeatures: metaFeatureRecord(suite, task) } : {}),
        ...(args.settings ? { settings: args.settings } : {}),
      },
      cache ? { cache } : {},
    );
    const v = valueOf.get(configKey(suite.searchSpace, s!.config));
    if (v === undefined) throw new Error(`suggested a config outside the menu: ${JSON.stringify(s!.config)}`);
    observations.push({ config: s!.config, value: v, state: 'completed' });
    best = suite.objective.direction === 'maximize' ? Math.max(best, v) : Math.min(best, v);
    regret.push(normalizedRegret(task, best));
    strategies.push(s!.provenance.strategy);
  }
  if (args.cache && cache) for (const [k, v] of cache) if (k.startsWith('prior:')) args.cache.set(k, v);
  return { regret, strategies };
}

export function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
