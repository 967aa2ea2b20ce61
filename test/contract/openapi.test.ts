// The API contract: the committed docs/openapi.json is what the service serves, Redocly's recommended
// ruleset finds nothing in it, every reference resolves, every operation reads like a client method
// and documents the bodies it takes and the errors it answers, and those errors' examples are what the
// service really sends.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { ErrorBody } from '../../src/http/errors.ts';
import { OPENAPI_FILE } from '../../src/openapi-file.ts';
import { DEFAULT_PUBLIC_URL } from '../../src/openapi.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { operations } from '../support/openapi-walk.ts';

let api: TestApi;
let spec: any;

beforeAll(async () => {
  api = await testApi();
  spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(async () => api?.close());

/** The object a local `$ref` points at, or undefined. */
function resolve(ref: string): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, key) => node?.[key], spec);
}

const errorResponse = (r: any) => (r.$ref ? resolve(r.$ref) : r);

describe('the committed document', () => {
  it('is what the service serves (else run `npm run openapi` and commit docs/openapi.json)', () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(spec, 'docs/openapi.json is out of date: run `npm run openapi` and commit it').toEqual(committed);
  });

  it("passes Redocly's recommended ruleset with no error and no warning", () => {
    const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'redocly'), ['lint', 'docs/openapi.json', '--format=json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const report = JSON.parse(r.stdout);
    expect(report.problems.map((p: any) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('resolves every reference, and holds no component nothing uses', () => {
    const refs = new Set<string>();
    const walk = (node: any): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === '$ref' ? refs.add(v as string) : walk(v);
    };
    walk(spec);
    expect([...refs].filter((r) => resolve(r) === undefined)).toEqual([]);
    const components = [
      ...Object.keys(spec.components.schemas).map((n) => `#/components/schemas/${n}`),
      ...Object.keys(spec.components.responses).map((n) => `#/components/responses/${n}`),
    ];
    expect(components.filter((c) => !refs.has(c))).toEqual([]);
    for (const name of ['Dataset', 'Experiment', 'ExperimentDetail', 'Health', 'SimilarExperiment', 'Trial', 'Error'])
      expect(spec.components.schemas).toHaveProperty(name);
  });

  it('names its server and its licence', async () => {
    expect(spec.servers).toEqual([{ url: DEFAULT_PUBLIC_URL, description: expect.any(String) }]);
    expect(spec.info.license.name).toBeTruthy();
    const other = await testApi({ publicUrl: 'https://precedent.internal.test/' });
    try {
      expect((await other.app.inject({ method: 'GET', url: '/openapi.json' })).json().servers[0].url).toBe('https://precedent.internal.test');
    } finally {
      await other.close();
    }
  });
});

describe('every operation', () => {
  it('has an operationId that reads like a client method, a summary and a declared tag', () => {
    const ops = operations(spec);
    expect(ops.length).toBeGreaterThanOrEqual(29);
    const tags = new Set(spec.tags.map((t: { name: string }) => t.name));
    for (const { method, path, op } of ops) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][a-zA-Z]+$/);
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      expect(op.tags?.length && op.tags.every((t: string) => tags.has(t)), `${method} ${path}`).toBe(true);
    }
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createExperiment', 'listExperiments', 'askTrials', 'completeTrial', 'importExperiments', 'createDataset']));
  });

  it('declares each request body it accepts, per content type', () => {
    const body = (method: string, path: string) => spec.paths[path][method].requestBody;
    expect(Object.keys(body('post', '/v1/datasets').content).sort()).toEqual(['application/json', 'text/csv']);
    expect(body('post', '/v1/datasets').content['application/json'].schema.required).toEqual(['name']);
    expect(Object.keys(body('post', '/v1/import').content)).toEqual(['application/x-ndjson']);
    for (const action of ['share', 'pause', 'resume', 'finish']) {
      expect(body('post', `/v1/experiments/{id}/${action}`), action).toMatchObject({ required: false, content: { 'application/json': expect.any(Object) } });
    }
    expect(body('post', '/v1/experiments/{id}/suggestions').required).toBe(false);
    expect(body('post', '/v1/experiments').required).toBe(true);
  });

  it('documents the errors every route of its kind answers, with the error schema and an example of it', () => {
    for (const { method, path, op } of operations(spec, '/v1/')) {
      const expected = [400, 401, 429, 503];
      if (path.includes('{id}')) expected.push(404);
      if (method === 'POST' || method === 'PATCH') expected.push(413, 415);
      if (method === 'POST') expected.push(409, 422);
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(expected.map(String)));
      for (const [status, r] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue;
        const media = errorResponse(r).content['application/json'];
        expect(media.schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        expect(ErrorBody.safeParse(media.example).success, `${method} ${path} ${status}`).toBe(true);
        expect(media.example.statusCode, `${method} ${path} ${status}`).toBe(Number(status));
      }
    }
  });
});

describe('the error examples are what the service sends', () => {
  const example = (method: string, path: string, status: number) =>
    errorResponse(spec.paths[path][method.toLowerCase()].responses[status]).content['application/json'].example;

  it('401 without a valid key', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/experiments', headers: { authorization: 'Bearer prc_not-a-key' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(example('GET', '/v1/experiments', 401));
  });

  it('415 of every route that takes a body', async () => {
    let checked = 0;
    for (const { method, path } of operations(spec, '/v1/').filter((o) => o.op.requestBody)) {
      const id = '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01';
      const res = await api.call(method as 'POST', path.replace('{id}', id), 'x', { 'content-type': 'text/plain' });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(415);
      expect(res.body, `${method} ${path}`).toEqual(example(method, path, 415));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('404 of every GET with an id', async () => {
    for (const { method, path } of operations(spec, '/v1/').filter((o) => o.method === 'GET' && o.path.includes('{id}'))) {
      const res = await api.call('GET', path.replace('{id}', '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01'));
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(res.body, `${method} ${path}`).toEqual(example(method, path, 404));
    }
  });
});
