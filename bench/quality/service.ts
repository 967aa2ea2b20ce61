// Our methods through the real product path (`--via-service`): priors imported into Neo4j through the
// import API, similar experiments found by the graph, suggestions asked for over HTTP. The target
// experiment declares the look-up table's rows as its candidate menu, so every suggestion is a row that
// has not been evaluated yet, as in-process. `optuna-precedent` (optuna-precedent.ts) uses the same
// service and the same per-run set-up, with Optuna's loop in Python as the client.
import { createKey } from '../../graph/repositories/keys.ts';
import { resolveSettings } from '../../optimizers/index.ts';
import { configKey } from '../../optimizers/space.ts';
import { buildApp } from '../../src/app.ts';
import type { Suite } from '../../src/suites.ts';
import { benchGraph } from '../support/neo4j.ts';
import type { Method, RunContext } from './method.ts';

type Mode = 'gp' | 'warm-init' | 'transfer';

/** One service and its throw-away Neo4j for a whole benchmark run, shared by every method that needs it. */
export interface QualityService {
  /** The service's base URL, e.g. http://127.0.0.1:40123. */
  readonly base: string;
  /** A fresh project name for one (method, task, seed) run: runs never see each other's experiments as priors. */
  project(method: string, ctx: RunContext): string;
  /** The API key of a project (created on first use): the key is what scopes every request to its project. */
  keyOf(project: string): Promise<string>;
  call(project: string, method: string, path: string, body?: unknown, type?: string): Promise<any>;
  /** Every prior of the run as one experiment of the project, through `POST /v1/import`. */
  importPriors(project: string, ctx: RunContext): Promise<void>;
  close(): Promise<void>;
}

export async function startQualityService(suite: Suite, log: (line: string) => void): Promise<QualityService> {
  const { graph, stop } = await benchGraph('quality');
  const app = await buildApp({ graph });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  log(`service at ${base}, Neo4j throw-away instance for this run`);
  let runs = 0;

  const keys = new Map<string, string>();
  const keyOf = async (project: string): Promise<string> => {
    let key = keys.get(project);
    if (!key) keys.set(project, (key = (await createKey(graph, project, 'bench')).secret));
    return key;
  };
  const call = async (project: string, method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': type, authorization: `Bearer ${await keyOf(project)}` },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const importPriors = async (project: string, ctx: RunContext): Promise<void> => {
    if (!ctx.priors.length) return;
    const objective = { metric: suite.objective.name, direction: suite.objective.direction };
    const lines = ctx.priors.map((p) =>
      JSON.stringify({
        format: 'precedent.experiment/1',
        dataset: { name: `prior ${p.id}`, metaFeatures: p.metaFeatures ?? {} },
        experiment: { name: `prior ${p.id}`, model: { name: suite.name }, searchSpace: ctx.table.suite.searchSpace, objective, seed: 1 },
        trials: p.observations.map((o, n) => ({ number: n, state: 'completed', config: o.config, value: o.value })),
      }),
    );
    await call(project, 'POST', '/v1/import', lines.join('\n'), 'application/x-ndjson');
  };
  return {
    base,
    project: (method, ctx) => `quality-${++runs}-${ctx.table.task.id}-${ctx.seed}-${method}`,
    keyOf,
    call,
    importPriors,
    close: async () => {
      await app.close();
      await stop();
    },
  };
}

/** `gp`, `warm-init` and `transfer` asking the service for every suggestion over HTTP. */
export function serviceMethods(suite: Suite, service: QualityService): Record<Mode, Method> {
  const { call } = service;
  const run = async (mode: Mode, ctx: RunContext): Promise<number[]> => {
    const space = ctx.table.suite.searchSpace;
    const project = service.project(mode, ctx);
    const objective = { metric: suite.objective.name, direction: suite.objective.direction };
    const model = { name: suite.name };
    if (mode !== 'gp') await service.importPriors(project, ctx);
    const dataset = await call(project, 'POST', '/v1/datasets', { name: `target ${ctx.table.task.id}`, metaFeatures: ctx.metaFeatures ?? {} });
    const experiment = await call(project, 'POST', '/v1/experiments', {
      datasetId: dataset.id,
      model,
      searchSpace: space,
      objective,
      seed: ctx.seed,
      warmStart: mode === 'gp' ? { mode: 'off' } : { mode: 'auto', maxPriors: Math.min(200, Math.max(1, ctx.priors.length)) },
      optimizer: mode === 'warm-init' ? { strategy: 'warm-init' } : {},
      candidates: ctx.table.configs,
    });
    const nInitial = resolveSettings(undefined, space.length).nInitial;
    const rows: number[] = [];
    const budget = Math.min(ctx.budget, ctx.table.configs.length);
    for (let t = 0; t < budget; t++) {
      // warm-init: the warm design for the initial trials, then plain GP-BO (as in-process).
      if (mode === 'warm-init' && t === nInitial) await call(project, 'PATCH', `/v1/experiments/${experiment.id}`, { optimizer: { strategy: 'gp' } });
      const { trials } = await call(project, 'POST', `/v1/experiments/${experiment.id}/suggestions`, { count: 1 });
      const trial = trials[0];
      const row = ctx.table.rowOf.get(configKey(space, trial.config));
      if (row === undefined) throw new Error(`the service suggested a config outside the menu: ${JSON.stringify(trial.config)}`);
      await call(project, 'POST', `/v1/trials/${trial.id}/complete`, { value: ctx.table.task.values[row]! });
      rows.push(row);
    }
    return rows;
  };

  const method = (mode: Mode): Method => ({ name: mode, run: (ctx) => run(mode, ctx) });
  return { gp: method('gp'), 'warm-init': method('warm-init'), transfer: method('transfer') };
}
