// Our methods through the real product path (`--via-service`): priors imported into Neo4j through the
// import API, similar experiments found by the graph, suggestions asked for over HTTP. The target
// experiment declares the look-up table's rows as its candidate menu, so every suggestion is a row that
// has not been evaluated yet, as in-process.
import { resolveSettings } from '../../optimizers/index.ts';
import { configKey } from '../../optimizers/space.ts';
import type { Suite } from '../../src/suites.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { buildApp } from '../../src/app.ts';
import { benchGraph } from '../support/neo4j.ts';
import type { Method, RunContext } from './method.ts';

type Mode = 'gp' | 'warm-init' | 'transfer';

export async function serviceMethods(suite: Suite, log: (line: string) => void): Promise<{ methods: Record<Mode, Method>; close: () => Promise<void> }> {
  const { graph, stop } = await benchGraph('quality');
  const app = await buildApp({ graph });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  log(`--via-service: service at ${base}, Neo4j throw-away instance for this run`);
  let runs = 0;

  // A key per project: the key is what scopes every request to its project.
  const keys = new Map<string, string>();
  const call = async (project: string, method: string, path: string, body?: unknown, type = 'application/json') => {
    let key = keys.get(project);
    if (!key) keys.set(project, (key = (await createKey(graph, project, 'bench')).secret));
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': type, authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const run = async (mode: Mode, ctx: RunContext): Promise<number[]> => {
    const space = ctx.table.suite.searchSpace;
    // A project per run: runs never see each other's experiments as priors.
    const project = `quality-${++runs}-${ctx.table.task.id}-${ctx.seed}-${mode}`;
    const objective = { metric: suite.objective.name, direction: suite.objective.direction };
    const model = { name: suite.name };
    if (mode !== 'gp' && ctx.priors.length) {
      const lines = ctx.priors.map((p) =>
        JSON.stringify({
          format: 'precedent.experiment/1',
          dataset: { name: `prior ${p.id}`, metaFeatures: p.metaFeatures ?? {} },
          experiment: { name: `prior ${p.id}`, model, searchSpace: space, objective, seed: 1 },
          trials: p.observations.map((o, n) => ({ number: n, state: 'completed', config: o.config, value: o.value })),
        }),
      );
      await call(project, 'POST', '/v1/import', lines.join('\n'), 'application/x-ndjson');
    }
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
  return {
    methods: { gp: method('gp'), 'warm-init': method('warm-init'), transfer: method('transfer') },
    close: async () => {
      await app.close();
      await stop();
    },
  };
}
