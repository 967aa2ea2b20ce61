import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectFootprint } from '../../graph/repositories/projects.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';

/**
 * Property-based hostile input: ≥ 10,000 generated requests, each invalid in at least one way the
 * API must reject (a wrong type, NaN/Infinity, a huge number, deep nesting, broken JSON, an id that is
 * not ours), carried alongside quotes, Cypher fragments and unicode in every other place. The
 * properties: no 5xx, the service stays up, and the project's footprint in Neo4j does not change.
 */
const RUNS = 10_000;

const space = [
  { name: 'C', type: 'float', low: 0.001, high: 1000, log: true },
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'linear'] },
  { name: 'depth', type: 'int', low: 1, high: 10, log: false },
];

const CYPHER = [
  "' OR 1=1 //",
  '"}) MATCH (n) DETACH DELETE n //',
  "x'}) CREATE (:Pwned) //",
  '$projectId',
  '\\u0000',
  'MATCH (n) RETURN n',
  "'; CALL dbms.components() //",
  '`backtick`',
  '{{7*7}}',
  '../../../etc/passwd',
];
const hostileString = fc.oneof(
  fc.constantFrom(...CYPHER),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u202e\u0645\u0631\u062d\u0628\u0627', '😀'.repeat(50), 'a'.repeat(5000), '\ud800'),
);

/** Raw JSON tokens JSON.stringify cannot produce. */
const RAW = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', 'undefined', "'single'", '0x10', '01', '{"__proto__": {"admin": true}}'];
const PLACEHOLDER = '"__RAW__"';

/**
 * A value that is wrong wherever the API expects a number, a name or a known shape. (Finite numbers
 * are left out: a huge or negative float is a legitimate meta-feature or objective value.)
 */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...RAW).map((raw) => ({ raw })),
  fc.constantFrom(true, [], [[[[]]]], { $gt: 'x' }, { constructor: { prototype: { admin: true } } }),
  hostileString.map((s) => ({ nested: s, more: [s] })),
  fc.integer({ min: 10, max: 3000 }).map((depth) => ({ deep: depth })),
);

/** Serializes a body, splicing in raw tokens and deep nesting that JSON.stringify cannot express. */
function serialize(body: unknown): string {
  let raw: string | undefined;
  let depth: number | undefined;
  const text = JSON.stringify(body, (_k, v) => {
    if (v && typeof v === 'object' && 'raw' in v && Object.keys(v).length === 1) {
      raw = String((v as { raw: string }).raw);
      return '__RAW__';
    }
    if (v && typeof v === 'object' && 'deep' in v && Object.keys(v).length === 1) {
      depth = Number((v as { deep: number }).deep);
      return '__RAW__';
    }
    return v;
  });
  if (raw !== undefined) return text.replace(PLACEHOLDER, raw);
  if (depth !== undefined) return text.replace(PLACEHOLDER, `${'['.repeat(depth)}${']'.repeat(depth)}`);
  return text;
}

interface Ids {
  dataset: string;
  experiment: string;
  trial: string;
}

type Req = { method: 'GET' | 'POST' | 'PATCH'; url: string; body?: string; contentType?: string };

/**
 * A search-space parameter that cannot work (issue 26): a name that cannot be a key, a range the
 * encoding cannot represent, an integer that is not exact, too many choices.
 */
const hostileParam: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc
    .constantFrom('p\u0000q', 'tab\there', 'line\nbreak', '\u001b[31m', '__proto__', 'constructor', 'prototype', '', 'x'.repeat(201))
    .map((name) => ({ name, type: 'float', low: 0, high: 1 })),
  fc.constantFrom(
    { name: 'h', type: 'float', low: -1e308, high: 1e308 },
    { name: 'h', type: 'float', low: -Number.MAX_VALUE, high: Number.MAX_VALUE, log: false },
    { name: 'h', type: 'float', low: 0, high: 1, log: true },
    { name: 'h', type: 'float', low: -1, high: 1, log: true },
    { name: 'h', type: 'float', low: 1, high: 0 },
    { name: 'h', type: 'int', low: 0, high: 2 ** 60 },
    { name: 'h', type: 'int', low: -(2 ** 60), high: 0 },
    { name: 'h', type: 'int', low: 0.5, high: 3 },
  ),
  fc.integer({ min: 10_001, max: 12_000 }).map((n) => ({ name: 'h', type: 'categorical', choices: Array.from({ length: n }, (_, i) => i) })),
);

/** Free-form JSON nested deeper than the limit (32 levels), or larger than it (256 KiB). */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 33, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: 33, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 257, max: 400 }).map((kib) => JSON.stringify({ notes: ['x'.repeat(kib * 1024)] })),
);

/** Sets one field of a valid body to a bad value: the request as a whole must be rejected. */
function corrupt(template: Record<string, unknown>, fields: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...fields), badValue, hostileString).map(([field, value, s]) => {
    const body: Record<string, unknown> = structuredClone(template);
    const path = field.split('.');
    let at = body;
    for (const p of path.slice(0, -1)) at = at[p] as Record<string, unknown>;
    at[path.at(-1)!] = value;
    // Hostile text where text is allowed: it must not matter to the outcome.
    if ('name' in body && field !== 'name') body.name = s.slice(0, 100) || 'x';
    return serialize(body);
  });
}

/** Lone surrogates cannot be percent-encoded; malformed escapes are sent on purpose elsewhere. */
const encode = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const foreignId = fc.oneof(
  fc.uuid().map(String),
  hostileString.map((s) => encode(s).slice(0, 2000) || 'x'),
  fc.constantFrom('..', '%00', '%2e%2e%2f', '%E0%A4%A', '%', 'null', '-1', '1e400'),
);

function requests(ids: Ids): fc.Arbitrary<Req> {
  const experimentBody = {
    datasetId: ids.dataset,
    name: 'fuzz',
    model: { name: 'svm' },
    searchSpace: space,
    objective: { metric: 'acc', direction: 'maximize' },
  };
  const withRealIds: fc.Arbitrary<Req>[] = [
    corrupt({ name: 'ds', metaFeatures: { a: 1, b: 2 }, instances: 10 }, ['name', 'metaFeatures.a', 'instances', 'metaFeatures']).map((body) => ({
      method: 'POST',
      url: '/v1/datasets',
      body,
    })),
    corrupt(experimentBody, ['datasetId', 'model', 'searchSpace', 'objective', 'model.name']).map((body) => ({ method: 'POST', url: '/v1/experiments', body })),
    corrupt({ metaFeatures: { a: 1 }, k: 5 }, ['metaFeatures.a', 'k', 'metaFeatures']).map((body) => ({
      method: 'POST',
      url: '/v1/similar-experiments',
      body,
    })),
    corrupt({ budget: { maxTrials: 5 } }, ['budget.maxTrials', 'budget', 'optimizer', 'warmStart']).map((body) => ({
      method: 'PATCH',
      url: `/v1/experiments/${ids.experiment}`,
      body,
    })),
    corrupt({ config: { C: 1, kernel: 'rbf', depth: 2 }, value: 0.5 }, ['config.C', 'config.depth', 'value', 'config']).map((body) => ({
      method: 'POST',
      url: `/v1/experiments/${ids.experiment}/trials`,
      body,
    })),
    corrupt({ count: 1 }, ['count']).map((body) => ({ method: 'POST', url: `/v1/experiments/${ids.experiment}/suggestions`, body })),
    corrupt({ value: 0.3 }, ['value']).map((body) => ({ method: 'POST', url: `/v1/trials/${ids.trial}/complete`, body })),
    corrupt({ step: 1, value: 0.3 }, ['step', 'value']).map((body) => ({ method: 'POST', url: `/v1/trials/${ids.trial}/report`, body })),
    corrupt({ reason: 'r' }, ['reason']).map((body) => ({ method: 'POST', url: `/v1/trials/${ids.trial}/fail`, body })),
    corrupt({ reason: 'r' }, ['reason']).map((body) => ({ method: 'POST', url: `/v1/trials/${ids.trial}/invalidate`, body })),
    // Hostile shapes on create and on import: each is a 400 before any work.
    fc.tuple(hostileParam, fc.nat(space.length)).map(([param, at]) => {
      const searchSpace: unknown[] = [...space];
      searchSpace.splice(at, 0, param);
      return { method: 'POST' as const, url: '/v1/experiments', body: JSON.stringify({ ...experimentBody, searchSpace }) };
    }),
    fc.tuple(fc.option(hostileParam, { nil: undefined }), hostileJson).map(([param, provenance]) => {
      const experiment = { ...experimentBody, datasetId: undefined, searchSpace: param ? [...space, param] : space };
      const trial = `{"number":0,"state":"completed","config":{"C":1,"kernel":"rbf","depth":2},"value":0.5,"provenance":${param ? '{}' : provenance}}`;
      const line = `${JSON.stringify({ format: 'precedent.experiment/1', dataset: { name: 'hostile' }, experiment }).slice(0, -1)},"trials":[${trial}]}`;
      return { method: 'POST' as const, url: '/v1/import', contentType: 'application/x-ndjson', body: `${line}\n` };
    }),
    // Broken JSON Lines: every line must be valid before anything is imported.
    fc.tuple(hostileString, badValue).map(([s, v]) => ({
      method: 'POST' as const,
      url: '/v1/import',
      contentType: 'application/x-ndjson',
      body: `${JSON.stringify({ format: 'precedent.experiment/1', dataset: { name: s || 'x' }, experiment: { ...experimentBody, datasetId: undefined }, trials: [] })}\n${serialize({ format: 'precedent.experiment/1', dataset: v })}`,
    })),
    // Broken JSON and wrong content types on any write.
    fc
      .tuple(
        fc.constantFrom('/v1/datasets', '/v1/experiments', `/v1/experiments/${ids.experiment}/suggestions`, `/v1/trials/${ids.trial}/complete`),
        fc.constantFrom('{', '{"a":', '[1,', '"\\x"', '{"value": 1}}', 'null null', '\u0000'),
        fc.constantFrom('application/json', 'text/plain', 'application/xml'),
      )
      .map(([url, body, contentType]) => ({ method: 'POST' as const, url, body, contentType })),
    // Query strings: bad page sizes, offsets, filters.
    fc
      .tuple(
        fc.constantFrom('/v1/datasets', '/v1/experiments', `/v1/experiments/${ids.experiment}/trials`, `/v1/experiments/${ids.experiment}/similar`),
        fc.constantFrom('limit', 'offset', 'k', 'minOverlap', 'sameModel'),
        fc.oneof(fc.constantFrom('-1', '0', '1e400', 'NaN', 'Infinity', '99999999', '1.5', '[]', ''), hostileString.map(encode)),
      )
      .map(([url, k, v]) => ({ method: 'GET' as const, url: `${url}?${k}=${v}` })),
  ];
  // Any route with an id that is not ours (another project's, unknown, or not an id at all).
  const paths = [
    ['GET', '/v1/datasets/:id'],
    ['GET', '/v1/experiments/:id'],
    ['PATCH', '/v1/experiments/:id'],
    ['GET', '/v1/experiments/:id/trials'],
    ['POST', '/v1/experiments/:id/trials'],
    ['POST', '/v1/experiments/:id/suggestions'],
    ['POST', '/v1/experiments/:id/pause'],
    ['POST', '/v1/experiments/:id/resume'],
    ['POST', '/v1/experiments/:id/finish'],
    ['GET', '/v1/experiments/:id/similar'],
    ['GET', '/v1/experiments/:id/changes'],
    ['GET', '/v1/experiments/:id/replay'],
    ['GET', '/v1/experiments/:id/export'],
    ['GET', '/v1/experiments/:id/candidates'],
    ['GET', '/v1/trials/:id'],
    ['POST', '/v1/trials/:id/complete'],
    ['POST', '/v1/trials/:id/fail'],
    ['POST', '/v1/trials/:id/report'],
    ['POST', '/v1/trials/:id/invalidate'],
  ] as const;
  const notOurs = fc
    .tuple(fc.constantFrom(...paths), foreignId, fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined }))
    .map(([[method, path], id, body]) => ({
      method,
      url: path.replace(':id', id),
      body: method === 'GET' || body === undefined ? undefined : JSON.stringify(body),
    }));
  return fc.oneof({ arbitrary: fc.oneof(...withRealIds), weight: 3 }, { arbitrary: notOurs, weight: 1 });
}

let api: TestApi;
let ids: Ids;
let otherProject: string;
const graph = testGraph();

beforeAll(async () => {
  api = await testApi({ rateLimitPerMinute: 0 });
  const d = await api.call('POST', '/v1/datasets', { name: 'fuzz-target', metaFeatures: { a: 1, b: 2 } });
  const e = await api.call('POST', '/v1/experiments', {
    datasetId: d.body.id,
    model: { name: 'svm' },
    searchSpace: space,
    objective: { metric: 'acc', direction: 'maximize' },
    warmStart: { mode: 'off' },
  });
  const t = await api.call('POST', `/v1/experiments/${e.body.id}/suggestions`, { count: 1 });
  expect(t.status).toBe(201);
  ids = { dataset: d.body.id, experiment: e.body.id, trial: t.body.trials[0].id };
  // Another project's ids are "not ours" too.
  const other = await api.otherKey();
  const od = await api.call('POST', '/v1/datasets', { name: 'other', metaFeatures: { a: 1 } }, { authorization: `Bearer ${other}` });
  otherProject = od.body.id;
});
afterAll(async () => {
  await api.close();
  await graph.close();
});

describe('hostile input', () => {
  it(`${RUNS} generated bad requests across all routes: no 5xx, still up, nothing written`, async () => {
    const before = await projectFootprint(graph, api.projectId);
    const exportBefore = (await api.call('GET', `/v1/experiments/${ids.experiment}/export`)).text;
    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: requests(ids), weight: 20 }, { arbitrary: fc.constant<Req>({ method: 'GET', url: `/v1/datasets/${otherProject}` }), weight: 1 }),
        async (req) => {
          const res = await api.app.inject({
            method: req.method,
            url: req.url,
            headers: {
              authorization: `Bearer ${api.key}`,
              ...(req.body !== undefined ? { 'content-type': req.contentType ?? 'application/json' } : {}),
              'idempotency-key': randomUUID(),
            },
            ...(req.body !== undefined ? { payload: req.body } : {}),
          });
          sent++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          // A read may ignore a query parameter it does not know; a write must be refused.
          if (res.statusCode >= 500 || (res.statusCode < 400 && req.method !== 'GET')) {
            throw new Error(`${req.method} ${req.url} ${req.body?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`);
          }
          if (res.statusCode < 400) return;
          // Every error has the one documented shape.
          const body = res.json() as { statusCode: number; message: string };
          expect(body.statusCode).toBe(res.statusCode);
          expect(typeof body.message).toBe('string');
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.PRECEDENT_FUZZ_SEED ?? 20261123), endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(RUNS);
    console.log(`fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(await projectFootprint(graph, api.projectId)).toEqual(before);
    expect((await api.call('GET', `/v1/experiments/${ids.experiment}/export`)).text).toBe(exportBefore);
  }, 600_000);

  it('hostile CSV uploads are a 400 naming the problem, and change nothing', async () => {
    const before = await projectFootprint(graph, api.projectId);
    const wide = Array.from({ length: 20_001 }, (_, j) => `c${j}`).join(',');
    const cases: [string, string, RegExp][] = [
      ['too many columns', `${wide}\n${wide.replace(/c/g, '')}\n`, /20,001 columns exceed the limit of 20,000/],
      ['empty', '', /empty/i],
      ['a header only', 'a,b,label\n', /no data rows/i],
      ['ragged rows', 'a,b,label\n1,2,x\n1,2\n', /field count/i],
      ['an unterminated quote', 'a,label\n"1,x\n2,y\n', /quote|malformed/i],
      ['binary', '\u0000\u0001\u0002\uffff\n\u0000,\u0001\n', /./],
      ['an unknown target', 'a,b\n1,2\n3,4\n', /target/i],
    ];
    for (const [what, csv, reason] of cases) {
      const r = await api.call('POST', '/v1/datasets?name=hostile-csv&target=label', csv, { 'content-type': 'text/csv' });
      expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBe(400);
      expect(r.body.message, what).toMatch(reason);
    }
    expect(await projectFootprint(graph, api.projectId)).toEqual(before);
  }, 300_000);

  it('valid requests carrying hostile text store it verbatim (parameters, never Cypher)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString.filter((s) => s.trim().length > 0 && s.length <= 200 && !/[\ud800-\udfff]/.test(s) && !s.includes('\u0000')),
        async (name) => {
          const r = await api.call('POST', '/v1/datasets', { name, metaFeatures: { a: 1 } });
          expect([200, 201, 400]).toContain(r.status);
          if (r.status === 400) return;
          expect([name, name.trim()]).toContain(r.body.name);
          expect((await api.call('GET', `/v1/datasets/${r.body.id}`)).body.name).toBe(r.body.name);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  }, 120_000);
});
