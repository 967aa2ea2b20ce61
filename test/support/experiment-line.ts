/** One float parameter, x in [0, 1]. */
export const xSpace = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }];

/**
 * One experiment as a JSON Lines import record (see POST /v1/import): running, on `xSpace`, model
 * `model`, with `trials` completed results spread evenly over x whose loss is lowest near x = 0.3,
 * and the experiment's optimizer settings when given.
 */
export function experimentLine(model: string, name: string, trials: number, warmStart: unknown, optimizer?: Record<string, unknown>): string {
  return JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name, taskType: 'classification', metaFeatures: { a: 1 } },
    experiment: {
      name,
      model: { name: model },
      searchSpace: xSpace,
      objective: { metric: 'loss', direction: 'minimize' },
      seed: 3,
      status: 'running',
      warmStart,
      ...(optimizer ? { optimizer } : {}),
    },
    trials: Array.from({ length: trials }, (_, n) => ({
      number: n,
      state: 'completed',
      config: { x: (n + 0.5) / trials },
      value: Math.abs((n + 0.5) / trials - 0.3),
    })),
  });
}

/**
 * A running experiment that minimizes `loss` as a JSON Lines import record: its search space and
 * completed trials given, warm start off, `nInitial` 5 (so the next ask fits a model).
 */
export function modelExperimentLine(name: string, searchSpace: unknown[], trials: { config: Record<string, unknown>; value: number }[], seed: number): string {
  return JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name, taskType: 'regression', metaFeatures: { a: 1 } },
    experiment: {
      name,
      model: { name },
      searchSpace,
      objective: { metric: 'loss', direction: 'minimize' },
      seed,
      status: 'running',
      warmStart: { mode: 'off' },
      optimizer: { nInitial: 5 },
    },
    trials: trials.map((t, n) => ({ number: n, state: 'completed', ...t })),
  });
}
