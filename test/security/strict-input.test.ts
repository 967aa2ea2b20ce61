// Strict, self-explaining validation: every route refuses unknown keys and query parameters by name
// (walking the OpenAPI document, so a new route is covered without editing this file), typos get the
// nearest known name, search-space mistakes name the parameter and the allowed values, and every
// example the OpenAPI document offers is accepted by its own route.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.ts';
import { bodyExamples, jsonBodySchema, operations as allOperations, requestExamples } from '../support/openapi-walk.ts';

let api: TestApi;
let spec: any;
const ids = { dataset: '', experiment: '', trial: '' };

const operations = () => allOperations(spec, '/v1/');

/** A concrete URL for a templated path: ids of the fixtures where the path names them, else a fresh uuid. */
function urlOf(path: string): string {
  return path.replace(/\{id\}/g, path.startsWith('/v1/trials') ? ids.trial : path.startsWith('/v1/datasets') ? ids.dataset : ids.experiment);
}

/** An example made runnable here: the fixtures' dataset, and a fresh experiment name. */
function runnable(method: string, path: string, example: any): any {
  const body = structuredClone(example);
  if (body.datasetId) body.datasetId = ids.dataset;
  if (method === 'POST' && path === '/v1/experiments') body.name = `example-${randomUUID()}`;
  return body;
}

beforeAll(async () => {
  api = await testApi();
  spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ds = await api.call('POST', '/v1/datasets', { name: 'strict', metaFeatures: { a: 1 } });
  ids.dataset = ds.body.id;
  const exp = await api.call('POST', '/v1/experiments', {
    name: 'strict-exp',
    datasetId: ids.dataset,
    model: { name: 'xgboost' },
    searchSpace: [
      { name: 'learning_rate', type: 'float', low: 0.001, high: 0.3, log: true },
      { name: 'max_depth', type: 'int', low: 2, high: 12 },
    ],
    objective: { metric: 'auc', direction: 'maximize' },
  });
  ids.experiment = exp.body.id;
  const t = await api.call('POST', `/v1/experiments/${ids.experiment}/trials`, { config: { learning_rate: 0.01, max_depth: 3 } });
  ids.trial = t.body.id;
});
afterAll(async () => api.close());

describe('strict input on every route', () => {
  it('refuses an unknown query parameter by name on every /v1 operation', async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(20);
    for (const { method, path, op } of ops) {
      // Fastify checks the body before the query string: send a valid body where the route has one.
      const [example] = bodyExamples(op);
      const body = example !== undefined ? runnable(method, path, example) : method === 'GET' ? undefined : {};
      const res = await api.call(method as 'GET', `${urlOf(path)}?zz_unknown=1`, body);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
      expect(res.body.issues, `${method} ${path}`).toContainEqual({ field: 'querystring.zz_unknown', reason: 'unknown field' });
    }
  });

  it('refuses an unknown body field by name on every operation with a JSON body', async () => {
    const withBody = operations().filter((o) => jsonBodySchema(o.op));
    expect(withBody.length).toBeGreaterThan(8);
    for (const { method, path } of withBody) {
      const res = await api.call(method as 'POST', urlOf(path), { zz_unknown: 1 });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
      expect(
        res.body.issues.map((i: { field: string }) => i.field),
        `${method} ${path}`,
      ).toContain('body.zz_unknown');
    }
    // The JSON body of POST /v1/datasets is parsed by the route itself (its CSV body is not JSON).
    const ds = await api.call('POST', '/v1/datasets', { nmae: 'x', name: 'y' });
    expect(ds.status).toBe(400);
    expect(ds.body.issues).toContainEqual({ field: 'body.nmae', reason: 'unknown field; did you mean name?' });
  });

  it('accepts every example the OpenAPI document offers, at its own route', async () => {
    let checked = 0;
    for (const { method, path, op } of operations()) {
      for (const { type, value } of requestExamples(op)) {
        // Each trial operation gets a running trial of its own: completing one must not make failing another a conflict.
        if (path.startsWith('/v1/trials/')) {
          const t = await api.call('POST', `/v1/experiments/${ids.experiment}/trials`, { config: { learning_rate: 0.02 + 0.01 * checked, max_depth: 4 } });
          ids.trial = t.body.id;
        }
        // A JSON example is an object; any other (a JSON Lines import) is the body's text.
        const res =
          type === 'application/json'
            ? await api.call(method as 'POST', urlOf(path), runnable(method, path, value))
            : await api.call(method as 'POST', urlOf(path), String(value), { 'content-type': type });
        expect(res.status, `${method} ${path} with its ${type} example: ${res.text}`).toBeLessThan(400);
        checked++;
      }
    }
    // Register a dataset, create an experiment, add/complete/fail/report a trial, suggest, patch, invalidate, similar, import.
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

describe('messages that name the field and the fix', () => {
  const space = (param: Record<string, unknown>) => ({
    datasetId: ids.dataset,
    model: { name: 'm' },
    objective: { metric: 'acc', direction: 'maximize' },
    searchSpace: [{ name: 'C', type: 'float', low: 0.1, high: 10, log: true }, param],
  });
  const create = (body: unknown) => api.call('POST', '/v1/experiments', body);

  it('names the parameter, its index and the allowed types for a wrong type, with the Optuna spelling', async () => {
    const typo = await create(space({ name: 'lr', type: 'floa', low: 0, high: 1 }));
    expect(typo.status).toBe(400);
    expect(typo.body.issues).toEqual([{ field: 'body.searchSpace.1.type', reason: 'searchSpace[1] "lr": type "floa" is not one of float, int, categorical' }]);
    const optuna = await create(space({ name: 'lr', type: 'loguniform', low: 1e-4, high: 1 }));
    expect(optuna.body.issues[0].reason).toBe(
      'searchSpace[1] "lr": type "loguniform" is not one of float, int, categorical; for loguniform write "type": "float", "log": true',
    );
  });

  it('suggests the known name for an unknown key, where it lives', async () => {
    const nested = await create({ ...space({ name: 'd', type: 'int', low: 1, high: 5 }), budget: { n_trials: 30 } });
    expect(nested.body.issues).toContainEqual({ field: 'body.budget.n_trials', reason: 'unknown field; did you mean maxTrials?' });
    const top = await create({ ...space({ name: 'd', type: 'int', low: 1, high: 5 }), n_trials: 30 });
    expect(top.body.issues).toContainEqual({ field: 'body.n_trials', reason: 'unknown field; did you mean budget.maxTrials?' });
    const param = await create(space({ name: 'd', type: 'int', lower: 1, high: 5 }));
    expect(param.body.issues).toContainEqual({ field: 'body.searchSpace.1.lower', reason: 'searchSpace[1] "d": unknown field; did you mean low?' });
    const stepOnChoice = await create(space({ name: 'k', type: 'categorical', choices: ['a'], step: 1 }));
    expect(stepOnChoice.body.issues).toContainEqual({ field: 'body.searchSpace.1.step', reason: 'searchSpace[1] "k": unknown field' });
    const direction = await create({ ...space({ name: 'd', type: 'int', low: 1, high: 5 }), objective: { metric: 'acc', direction: 'maximise' } });
    expect(direction.body.issues).toEqual([{ field: 'body.objective.direction', reason: '"maximise" is not one of minimize, maximize' }]);
  });

  it('names a value of the wrong type, and what was expected', async () => {
    const res = await create(space({ name: 'd', type: 'int', low: '1', high: 5 }));
    expect(res.body.issues).toEqual([{ field: 'body.searchSpace.1.low', reason: 'searchSpace[1] "d": expected number, got string "1"' }]);
  });

  it('makes documented list filters work and refuses undocumented ones with the nearest name', async () => {
    const named = await api.call('GET', '/v1/experiments?name=STRICT-EXP');
    expect(named.status).toBe(200);
    expect(named.body.items.map((e: { id: string }) => e.id)).toEqual([ids.experiment]);
    const none = await api.call('GET', '/v1/experiments?name=nothing-like-it');
    expect(none.body.total).toBe(0);
    const typo = await api.call('GET', '/v1/experiments?nmae=x');
    expect(typo.status).toBe(400);
    expect(typo.body.issues).toEqual([{ field: 'querystring.nmae', reason: 'unknown field; did you mean name?' }]);
  });

  it('refuses a misspelt optimizer setting on create and in an import, and names a malformed id', async () => {
    const created = await create({ ...space({ name: 'd', type: 'int', low: 1, high: 5 }), optimizer: { stratgy: 'random' } });
    expect(created.body.issues).toContainEqual({ field: 'body.optimizer.stratgy', reason: 'unknown field; did you mean strategy?' });
    const line = {
      format: 'precedent.experiment/1',
      dataset: { name: 'd' },
      experiment: {
        name: 'e',
        model: { name: 'm' },
        seed: 1,
        objective: { metric: 'a', direction: 'minimize' },
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
        optimizer: { nInitial: 'five' },
      },
      trials: [],
    };
    const imported = await api.call('POST', '/v1/import', `${JSON.stringify(line)}\n`, { 'content-type': 'application/x-ndjson' });
    expect(imported.status).toBe(400);
    expect(imported.body.issues[0].field).toBe('line 1: experiment.optimizer.nInitial');
    const badId = await api.call('GET', '/v1/experiments/not-an-id');
    expect(badId.body.issues).toEqual([{ field: 'params.id', reason: expect.stringContaining('"not-an-id" is not an id') }]);
  });

  it('changes only the warm-start fields a PATCH names', async () => {
    const before = (await api.call('GET', `/v1/experiments/${ids.experiment}`)).body.warmStart;
    const patched = await api.call('PATCH', `/v1/experiments/${ids.experiment}`, { warmStart: { maxPriors: 7 } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.warmStart).toEqual({ ...before, maxPriors: 7 });
    const again = await api.call('PATCH', `/v1/experiments/${ids.experiment}`, { warmStart: { mode: 'off' } });
    expect(again.body.warmStart).toEqual({ ...before, maxPriors: 7, mode: 'off' });
  });

  it('names the accepted content types in a 415', async () => {
    const res = await api.call('POST', '/v1/datasets', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.message).toContain('send application/json or text/csv');
    const text = await api.call('POST', `/v1/experiments/${ids.experiment}/suggestions`, '{"count": 1}', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const imp = await api.call('POST', '/v1/import', '{}', { 'content-type': 'application/xml' });
    expect(imp.status).toBe(415);
    expect(imp.body.message).toContain('application/x-ndjson');
  });

  it('names the line, the field and the nearest name in an import', async () => {
    const line = {
      format: 'precedent.experiment/1',
      dataset: { name: 'd' },
      experiment: {
        name: 'e',
        model: { name: 'm' },
        seed: 1,
        objective: { metric: 'a', direction: 'minimize' },
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      },
      trials: [],
      n_trials: 3,
    };
    const res = await api.call('POST', '/v1/import', `${JSON.stringify(line)}\n`, { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toContainEqual({ field: 'line 1: n_trials', reason: 'unknown field' });
  });
});
