// The Python client (clients/python) against a real service on the suite's Neo4j: a venv with
// --system-site-packages gets the package pip-installed offline (so packaging is tested too), and its
// unittest suite runs with PRECEDENT_URL / PRECEDENT_API_KEY. Optuna comes from Debian's python3-optuna:
// installed when missing and we may (root, apt-get), else the Optuna tests are skipped with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Graph } from '../../graph/driver.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { buildApp } from '../../src/app.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { testConnection, testGraph } from '../support/graph.ts';
import { aptInstall, mayApt } from '../support/apt.ts';
import { ensureOptunaPython, type PythonProbe } from '../support/python.ts';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const CLIENT_DIR = join(REPO_ROOT, 'clients', 'python');
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the service under test runs in this process and must keep answering.
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Results of `python -m unittest -v`: each test's outcome (the verbose lines on stderr). */
function outcomes(stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  for (const line of stderr.split('\n')) {
    const name = /^(test_\w+) \(([\w.]+)\)/.exec(line);
    if (name) current = `${name[2]!.split('.').slice(0, 2).join('.')}.${name[1]}`;
    // The outcome ends the test's line, or stands alone when the test wrote to stderr in between.
    const result = /(?: \.\.\. |^)(ok|FAIL|ERROR|skipped '.*'|expected failure|unexpected success)$/.exec(line);
    if (result && current) {
      out.set(current, result[1]!);
      current = null;
    }
  }
  return out;
}

let python: PythonProbe | null = null;
let skipReason = '';
const notes: string[] = [];
let venv = '';
let venvPython = '';
let installSeconds = 0;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
let appGraph: Graph | undefined;
let graph: Graph | undefined;
let proxy: TcpProxy | undefined;
let control: Server | undefined;
let base = '';
let key = '';
let outageUrl: string | undefined;

beforeAll(async () => {
  const found = ensureOptunaPython();
  python = found.python;
  notes.push(...found.notes);
  if (!python) {
    skipReason = `no Python >= 3.9 (python3) to test the client with${notes.length ? `; ${notes.join('; ')}` : ''}`;
    console.log(`[python test] skipped: ${skipReason}`);
    return;
  }
  const t0 = Date.now();
  venv = mkdtempSync(join(tmpdir(), 'precedent-py-'));
  let made = spawnSync(python.path, ['-m', 'venv', '--system-site-packages', venv], { encoding: 'utf8', timeout: 120_000 });
  if (made.status !== 0 && mayApt() && /ensurepip/.test(made.stderr + made.stdout)) {
    aptInstall(['python3-venv'], 'python test');
    made = spawnSync(python.path, ['-m', 'venv', '--system-site-packages', '--clear', venv], { encoding: 'utf8', timeout: 120_000 });
  }
  if (made.status !== 0) {
    // No ensurepip: a venv without its own pip still runs the system's pip module.
    made = spawnSync(python.path, ['-m', 'venv', '--system-site-packages', '--without-pip', '--clear', venv], { encoding: 'utf8', timeout: 60_000 });
  }
  expect(made.status, `python -m venv: ${made.stderr}`).toBe(0);
  venvPython = join(venv, 'bin', 'python');
  // What a user types, offline: the in-tree build backend needs nothing from an index.
  const spec = python.optuna ? `${CLIENT_DIR}[optuna]` : CLIENT_DIR;
  const pip = await run(venvPython, ['-m', 'pip', 'install', '--no-index', '--disable-pip-version-check', '--no-input', '--quiet', spec], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PIP_NO_INDEX: '1' },
    timeoutMs: 180_000,
  });
  expect(pip.code, `pip install ${spec}:\n${pip.stdout}\n${pip.stderr}`).toBe(0);
  installSeconds = (Date.now() - t0) / 1000;

  // The service, on the suite's Neo4j through a proxy the Python tests can cut (a local Bolt server only).
  const conn = testConnection();
  const local = /^bolt:\/\/(127\.0\.0\.1|localhost):(\d+)$/.exec(conn.uri);
  if (local) {
    proxy = await tcpProxy({ host: '127.0.0.1', port: Number(local[2]) });
    appGraph = connect({ ...conn, uri: `bolt://127.0.0.1:${proxy.port}` }, { maxConnectionPoolSize: 16 });
    control = createServer((req, res) => {
      const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? '3000');
      proxy!.outage(Math.min(Math.max(ms, 0), 30_000));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ down: ms }));
    });
    await new Promise<void>((resolve) => control!.listen(0, '127.0.0.1', resolve));
    const caddr = control.address();
    outageUrl = `http://127.0.0.1:${typeof caddr === 'object' && caddr ? caddr.port : 0}/outage`;
  } else {
    appGraph = testGraph();
    notes.push(`the outage test is skipped: the test Neo4j (${conn.uri}) is not a local Bolt server the harness can proxy`);
  }
  graph = testGraph();
  key = (await createKey(graph, `test-python-${randomUUID()}`, 'python client test')).secret;
  app = await buildApp({ graph: appGraph, logger: { level: 'error' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 900_000);

afterAll(async () => {
  await app?.close();
  await appGraph?.close();
  await graph?.close();
  await proxy?.close();
  await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
  if (venv) rmSync(venv, { recursive: true, force: true });
}, 60_000);

describe('Python client (clients/python)', () => {
  it('passes its unittest suite against the service: packaging, retries, optimize, warm start, PrecedentSampler, import-optuna', async (ctx) => {
    if (!python) {
      ctx.skip();
      return;
    }
    const facts = join(venv, 'facts.json');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['PYTHONPATH', 'PRECEDENT_API_KEY_FILE', 'PRECEDENT_NEO4J_HOME']) delete env[k];
    Object.assign(env, {
      PRECEDENT_URL: base,
      PRECEDENT_API_KEY: key,
      PRECEDENT_E2E: '1',
      PRECEDENT_TEST_FACTS: facts,
      PRECEDENT_EXPECT_INSTALLED_IN: venv,
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
      ...(outageUrl ? { PRECEDENT_TEST_OUTAGE_URL: outageUrl } : {}),
    });
    const t0 = Date.now();
    // The working directory is the venv, so nothing from the checkout shadows the installed package.
    const r = await run(venvPython, ['-m', 'unittest', 'discover', '-s', join(CLIENT_DIR, 'tests'), '-t', join(CLIENT_DIR, 'tests'), '-v'], {
      cwd: venv,
      env,
      timeoutMs: 240_000,
    });
    const seconds = (Date.now() - t0) / 1000;
    const results = outcomes(r.stderr);
    const skipped = [...results].filter(([, o]) => o.startsWith('skipped'));
    console.log(
      `[python test] Python ${python.version} (${python.path}), Optuna ${python.optuna ?? 'not installed'}; venv + offline pip install ${installSeconds.toFixed(1)} s; ` +
        `${results.size} tests in ${seconds.toFixed(1)} s, ${skipped.length} skipped\n` +
        r.stdout.trim() +
        (skipped.length ? `\n[python test] skipped:\n${skipped.map(([n, o]) => `  ${n}: ${o}`).join('\n')}` : '') +
        (notes.length ? `\n[python test] ${notes.join('\n[python test] ')}` : ''),
    );
    expect(r.code, `python -m unittest failed:\n${r.stderr.slice(-20_000)}`).toBe(0);
    expect(results.size).toBeGreaterThanOrEqual(30);
    // Only what the machine explains may be skipped: Optuna missing, Python < 3.11 (tomllib), no proxy.
    const allowed = [
      ...(python.optuna ? [] : ['Optuna is not installed']),
      ...(python.minor < 11 ? ['tomllib needs Python'] : []),
      ...(outageUrl ? [] : ['PRECEDENT_TEST_OUTAGE_URL']),
    ];
    for (const [name, outcome] of skipped)
      expect(
        allowed.some((a) => outcome.includes(a)),
        `${name} ${outcome}`,
      ).toBe(true);
    for (const name of [
      'test_e2e_client.ClientEndToEnd.test_1_register_csv_optimize_then_warm_start_a_similar_dataset',
      'test_packaging.PackagingTest.test_installed_copy_is_what_the_tests_import',
    ]) {
      expect(results.get(name), name).toBe('ok');
    }
    if (python.optuna) {
      expect(results.get('test_e2e_optuna.OptunaEndToEnd.test_1_sampler_through_study_optimize_with_two_jobs')).toBe('ok');
      expect(results.get('test_e2e_optuna.OptunaEndToEnd.test_3_import_optuna_twice_then_use_it_as_a_prior')).toBe('ok');
      // The sampler's trials are in the graph: the experiment and its trials, read with Cypher.
      const f = JSON.parse(readFileSync(facts, 'utf8')) as { samplerExperimentId: string; samplerTrials: number };
      const res = await graph!.driver.executeQuery(
        `MATCH (e:Experiment {id: $id})-[:HAS_TRIAL]->(t:Trial) WHERE t.state = 'completed' RETURN count(t) AS n, count(DISTINCT t.configHash) AS configs`,
        { id: f.samplerExperimentId },
        { database: graph!.database },
      );
      const row = res.records[0]!.toObject();
      expect(row.n).toBe(f.samplerTrials);
      expect(row.configs).toBe(f.samplerTrials);
    }
    if (outageUrl) expect(results.get('test_e2e_client.ClientEndToEnd.test_8_a_neo4j_outage_is_waited_out')).toBe('ok');
  }, 300_000);
});
