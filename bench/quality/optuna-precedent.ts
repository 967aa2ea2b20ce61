// `optuna-precedent`: Optuna's own study loop (study.optimize) driving the Python client's
// precedent.optuna.PrecedentSampler against the benchmark's service, through bench/optuna_precedent.py.
// Per (task, seed) it gets the set-up `transfer --via-service` gets: a fresh project holding the other tasks
// as imported prior experiments, the target registered with its meta-features, the same warm start, seed,
// model and metric, and the table's rows as the experiment's candidate menu.
import { fileURLToPath } from 'node:url';
import { configKey } from '../../optimizers/space.ts';
import type { Suite } from '../../src/suites.ts';
import type { Method, RunContext } from './method.ts';
import { JsonLinesProcess } from './optuna.ts';
import type { QualityService } from './service.ts';

const SCRIPT = fileURLToPath(new URL('../optuna_precedent.py', import.meta.url));

export type OptunaPrecedentRun = {
  rows: number[];
  configs: Record<string, unknown>[];
  /** precedent's strategy per Optuna trial (portfolio, warm-start, transfer-bo, …). */
  strategies: (string | null)[];
  experiment: string | null;
  seconds: number;
};

export async function optunaPrecedentMethod(
  python: string,
  suite: Suite,
  service: QualityService,
  log: (line: string) => void,
): Promise<{ method: Method; close: () => Promise<void> }> {
  const py = new JsonLinesProcess(python, SCRIPT, (line) => log(`optuna-precedent (python): ${line}`));
  const hello = await py.call({ op: 'hello' });
  log(`optuna-precedent: Optuna ${hello.optuna}, precedent client from ${hello.precedent}`);
  // precedent's strategy per trial, tallied over the whole run (logged at the end: a trial precedent did not
  // propose would stop the run, so this says how the trials split between warm design and models).
  const strategies = new Map<string, number>();
  const run = async (ctx: RunContext): Promise<number[]> => {
    const space = ctx.table.suite.searchSpace;
    const project = service.project('optuna-precedent', ctx);
    await service.importPriors(project, ctx);
    const answer = (await py.call({
      op: 'run',
      url: service.base,
      key: await service.keyOf(project),
      study: `optuna-precedent ${ctx.table.task.id} seed ${ctx.seed}`,
      dataset: `target ${ctx.table.task.id}`,
      metaFeatures: ctx.metaFeatures ?? {},
      model: suite.name,
      metric: suite.objective.name,
      direction: suite.objective.direction,
      space,
      seed: ctx.seed,
      warmStart: { mode: 'auto', maxPriors: Math.min(200, Math.max(1, ctx.priors.length)) },
      configs: ctx.table.configs,
      values: ctx.table.task.values,
      nTrials: Math.min(ctx.budget, ctx.table.configs.length),
    })) as OptunaPrecedentRun;
    // The script looks rows up by its own key; check each against the benchmark's (configKey, as the service path does).
    answer.rows.forEach((row, t) => {
      const again = ctx.table.rowOf.get(configKey(space, answer.configs[t] as never));
      if (again !== row) throw new Error(`optuna-precedent: trial ${t} evaluated row ${row}, whose config is row ${again} here`);
    });
    if (new Set(answer.rows).size !== answer.rows.length) throw new Error(`optuna-precedent: a row was evaluated twice (${answer.rows.join(',')})`);
    for (const s of answer.strategies) strategies.set(String(s), (strategies.get(String(s)) ?? 0) + 1);
    return answer.rows;
  };
  const close = async () => {
    if (strategies.size) log(`optuna-precedent: trials by precedent strategy: ${[...strategies].map(([s, n]) => `${s} ${n}`).join(', ')}`);
    await py.close();
  };
  return { method: { name: 'optuna-precedent', run }, close };
}
