// A generated client is a test: types generated from the committed docs/openapi.json with
// openapi-typescript, the tutorial's loop (tutorial-client.ts, openapi-fetch) type-checked against
// them with tsc, a call the document does not allow refused by the same tsc, and the loop run against
// the service. Offline: the tools are devDependencies, the service runs in-process.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { OPENAPI_FILE } from '../../src/openapi-file.ts';
import { testApi, type TestApi } from '../support/api.ts';

const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
/** Inside the repository (git-ignored), so that the program finds openapi-fetch in node_modules. */
const WORK = join(REPO_ROOT, 'test-output', `contract-client-${process.pid}`);

/** Calls the generated types must refuse: a misspelt field, a path that does not exist, a misspelt response field. */
const WRONG = `import createClient from 'openapi-fetch';
import type { paths } from './api.ts';

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:8080' });
await api.POST('/v1/trials/{id}/complete', { params: { path: { id: 'x' } }, body: { valu: 0.9 } });
await api.GET('/v1/experiment/{id}', { params: { path: { id: 'x' } } });
const asked = await api.POST('/v1/experiments/{id}/suggestions', { params: { path: { id: 'x' } } });
console.log(asked.data?.trials[0]?.confg);
`;

let api: TestApi;
let url: string;

beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  api = await testApi();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = api.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  url = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await api?.close();
  rmSync(WORK, { recursive: true, force: true });
});

it('generates TypeScript types from docs/openapi.json with openapi-typescript', () => {
  const r = spawnSync(bin('openapi-typescript'), [OPENAPI_FILE, '--output', join(WORK, 'api.ts')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const types = readFileSync(join(WORK, 'api.ts'), 'utf8');
  expect(types).toContain('export interface paths');
  for (const name of ['createDataset', 'createExperiment', 'askTrials', 'completeTrial', 'importExperiments']) expect(types).toContain(`${name}: {`);
});

it('type-checks the tutorial client against the generated types, and refuses calls the document does not allow', () => {
  const program = readFileSync(join(REPO_ROOT, 'test', 'contract', 'tutorial-client.ts'), 'utf8');
  // The project's tsc skips the program (its types do not exist there); here it is checked in full.
  writeFileSync(join(WORK, 'tutorial.ts'), program.replace(/^\/\/ @ts-nocheck.*\n/, ''));
  writeFileSync(join(WORK, 'wrong.ts'), WRONG);
  copyFileSync(join(REPO_ROOT, 'tsconfig.json'), join(WORK, 'tsconfig.base.json'));
  writeFileSync(
    join(WORK, 'tsconfig.json'),
    JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { noEmit: true }, include: [], files: ['tutorial.ts', 'wrong.ts'] }),
  );
  const r = spawnSync(bin('tsc'), ['-p', join(WORK, 'tsconfig.json')], { cwd: WORK, encoding: 'utf8', timeout: 120_000 });
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  expect(
    errors.filter((l) => !l.startsWith('wrong.ts')),
    'the tutorial client type-checks',
  ).toEqual([]);
  expect(errors.map((l) => /^wrong\.ts\((\d+),/.exec(l)?.[1])).toEqual(['5', '6', '8']);
  expect(errors.join('\n')).toMatch(/'valu' does not exist/);
});

it('runs the tutorial loop (dataset, experiment, ask, complete, best trial) against the service', async () => {
  const { stdout } = await promisify(execFile)(bin('tsx'), [join(WORK, 'tutorial.ts')], {
    cwd: WORK,
    env: { ...process.env, PRECEDENT_URL: url, PRECEDENT_API_KEY: api.key },
    timeout: 120_000,
  });
  const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  expect(out.counts).toMatchObject({ completed: 6 });
  expect(out.best.value).toBeGreaterThan(0);
  const trials = (await api.call('GET', `/v1/experiments/${out.experimentId}/trials?limit=50`)).body;
  expect(trials.total).toBe(6);
  expect(Math.max(...trials.items.map((t: { value: number }) => t.value))).toBe(out.best.value);
});
