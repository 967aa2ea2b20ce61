import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { renderConf } from './conf.ts';
import { SetupError } from './errors.ts';
import { findJava } from './java.ts';
import { pinnedVersions, provisionJars } from './provision.ts';

/** What a local server needs to be started, and what clients need to reach it. */
export interface InstanceSpec {
  home: string;
  boltPort: number;
  httpPort: number;
  heap: string;
  pageCache: string;
  guideHosts?: string[];
  postConnectCommand?: string;
}

/** Persisted next to the data so the password survives restarts; owner-only permissions. */
export interface InstanceState {
  user: string;
  password: string;
  boltPort: number;
  httpPort: number;
  neo4jVersion: string;
}

export interface RunningInstance extends InstanceState {
  home: string;
  pid: number;
  boltUri: string;
  browserUrl: string;
  startedNow: boolean;
  /** The store was new and its password was set now: the one start that may show the password. */
  passwordSetNow: boolean;
  seconds: number;
}

const statePath = (home: string) => join(home, 'instance.json');
const pidPath = (home: string) => join(home, 'run', 'precedent-neo4j.pid');
export const consoleLogPath = (home: string) => join(home, 'logs', 'console.log');
export const neo4jLogPath = (home: string) => join(home, 'logs', 'neo4j.log');

export function readState(home: string): InstanceState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(home), 'utf8')) as InstanceState;
  } catch {
    return undefined;
  }
}

function writeState(home: string, state: InstanceState): void {
  writeFileSync(statePath(home), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(statePath(home), 0o600);
}

export function readPid(home: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidPath(home), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID file is ours only while that process is still a Neo4j JVM (PIDs are reused). */
export function runningPid(home: string): number | undefined {
  const pid = readPid(home);
  if (pid === undefined || !alive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('CommunityEntryPoint') && cmdline.includes(home) ? pid : undefined;
  } catch {
    return pid;
  }
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Asks the OS for an unused port, for throw-away instances (tests) that must not collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

async function httpAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function jvmArgs(spec: InstanceSpec): string[] {
  // The subset of neo4j's own launcher flags that matter outside its shell script.
  return [
    `-Xms${spec.heap}`,
    `-Xmx${spec.heap}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+DisableExplicitGC',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dlog4j2.disable.jmx=true',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--enable-native-access=ALL-UNNAMED',
  ];
}

/**
 * Downloads what is missing, writes the config and sets the initial password on a new store.
 * Returns the persisted credentials. `initialPassword` only matters for a store that was never
 * started: Neo4j ignores set-initial-password afterwards.
 */
export function prepareInstance(
  spec: InstanceSpec,
  opts: { initialPassword?: string; log?: (line: string) => void } = {},
): { state: InstanceState; libDir: string; javaBin: string; passwordSetNow: boolean } {
  const log = opts.log ?? (() => {});
  const java = findJava();
  const { libDir } = provisionJars(log);
  for (const d of ['conf', 'data', 'logs', 'run', 'import', 'plugins']) mkdirSync(join(spec.home, d), { recursive: true });
  chmodSync(spec.home, 0o700);
  writeFileSync(
    join(spec.home, 'conf', 'neo4j.conf'),
    renderConf({
      home: spec.home,
      boltPort: spec.boltPort,
      httpPort: spec.httpPort,
      pageCache: spec.pageCache,
      guideHosts: spec.guideHosts ?? ['localhost', '127.0.0.1'],
      postConnectCommand: spec.postConnectCommand,
    }),
  );
  let state = readState(spec.home);
  const storeExists = existsSync(join(spec.home, 'data', 'databases', 'system'));
  const passwordSetNow = !state || !storeExists;
  if (!state || !storeExists) {
    // Hex: a generated password must never start with '-', which neo4j-admin would read as an option.
    const password = state?.password ?? opts.initialPassword ?? randomBytes(16).toString('hex');
    const r = setInitialPassword(java.bin, libDir, spec.home, password);
    if (r.status !== 0) {
      throw new SetupError(
        `Setting the initial Neo4j password failed:\n${(r.stderr || r.stdout).trim()}`,
        'Passwords need at least 8 characters. Remove the instance folder to start over if the store is damaged.',
      );
    }
    state = {
      user: 'neo4j',
      password,
      boltPort: spec.boltPort,
      httpPort: spec.httpPort,
      neo4jVersion: pinnedVersions().neo4j,
    };
  }
  state = { ...state, boltPort: spec.boltPort, httpPort: spec.httpPort };
  writeState(spec.home, state);
  return { state, libDir, javaBin: java.bin, passwordSetNow };
}

/**
 * neo4j-admin's set-initial-password, with the password in an argument file (picocli's @file) that
 * only this user can read and that is removed at once: a password on the command line would be
 * visible to every user of the machine in the process list.
 */
function setInitialPassword(javaBin: string, libDir: string, home: string, password: string) {
  const argFile = join(home, 'run', `initial-password-${process.pid}.args`);
  writeFileSync(argFile, `--\n${password}\n`, { mode: 0o600 });
  try {
    return spawnSync(javaBin, ['-cp', `${libDir}/*`, 'org.neo4j.cli.AdminTool', 'dbms', 'set-initial-password', `@${argFile}`], {
      env: { ...process.env, NEO4J_HOME: home, NEO4J_CONF: join(home, 'conf') },
      encoding: 'utf8',
    });
  } finally {
    rmSync(argFile, { force: true });
  }
}

function describe(spec: InstanceSpec, state: InstanceState, pid: number, startedNow: boolean, seconds: number, passwordSetNow = false): RunningInstance {
  return {
    ...state,
    home: spec.home,
    pid,
    boltUri: `bolt://127.0.0.1:${state.boltPort}`,
    browserUrl: `http://127.0.0.1:${state.httpPort}/browser/`,
    startedNow,
    passwordSetNow,
    seconds,
  };
}

/** Starts the server in the background (it outlives this process) and waits until Bolt and HTTP answer. */
export async function startInstance(
  spec: InstanceSpec,
  opts: { initialPassword?: string; log?: (line: string) => void; timeoutMs?: number } = {},
): Promise<RunningInstance> {
  const started = Date.now();
  const existing = runningPid(spec.home);
  if (existing !== undefined) {
    const state = readState(spec.home);
    if (state && (await tcpAnswers(state.boltPort))) return describe(spec, state, existing, false, 0);
  }
  const { state, libDir, javaBin, passwordSetNow } = prepareInstance(spec, opts);
  for (const [what, port, envName] of [
    ['Bolt', spec.boltPort, 'PRECEDENT_NEO4J_BOLT_PORT'],
    ['HTTP', spec.httpPort, 'PRECEDENT_NEO4J_HTTP_PORT'],
  ] as const) {
    if (!(await portFree(port))) {
      throw new SetupError(
        `Port ${port} (Neo4j ${what}) is already in use by another program, so the local Neo4j cannot start.`,
        `Stop whatever listens there (\`ss -ltnp | grep :${port}\`), or choose another port with ${envName}=<port>, ` +
          'or point precedent at that server with NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD if it is a Neo4j 5 you want to use.',
      );
    }
  }
  const out = openSync(consoleLogPath(spec.home), 'a');
  const child = spawn(
    javaBin,
    [...jvmArgs(spec), '-cp', `${libDir}/*`, 'org.neo4j.server.CommunityEntryPoint', `--home-dir=${spec.home}`, `--config-dir=${join(spec.home, 'conf')}`],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, NEO4J_HOME: spec.home, NEO4J_CONF: join(spec.home, 'conf') },
    },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new SetupError('Could not launch Java for Neo4j.', 'Check that Java 17 or 21 is installed.');
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();
  writeFileSync(pidPath(spec.home), `${pid}\n`);
  const deadline = started + (opts.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      rmSync(pidPath(spec.home), { force: true });
      throw new SetupError(
        `Neo4j exited during start-up (code ${exited}).\n${tail(neo4jLogPath(spec.home))}\n${tail(consoleLogPath(spec.home))}`,
        `See ${neo4jLogPath(spec.home)} and ${consoleLogPath(spec.home)}.`,
      );
    }
    if ((await tcpAnswers(spec.boltPort)) && (await httpAnswers(spec.httpPort))) {
      return describe(spec, state, pid, true, (Date.now() - started) / 1000, passwordSetNow);
    }
    await sleep(250);
  }
  throw new SetupError(
    `Neo4j did not answer on Bolt port ${spec.boltPort} within ${Math.round((deadline - started) / 1000)} s.`,
    `It may still be starting; see ${neo4jLogPath(spec.home)}. \`npm run neo4j:status\` tells when it is up.`,
  );
}

export async function stopInstance(home: string, timeoutMs = 60_000): Promise<{ stopped: boolean; pid?: number }> {
  const pid = runningPid(home);
  if (pid === undefined) {
    rmSync(pidPath(home), { force: true });
    return { stopped: false };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidPath(home), { force: true });
  return { stopped: true, pid };
}

export interface InstanceStatus {
  running: boolean;
  pid?: number;
  boltAnswers: boolean;
  httpAnswers: boolean;
  state?: InstanceState;
  logs: string;
}

export async function instanceStatus(home: string): Promise<InstanceStatus> {
  const pid = runningPid(home);
  const state = readState(home);
  return {
    running: pid !== undefined,
    pid,
    boltAnswers: state ? await tcpAnswers(state.boltPort) : false,
    httpAnswers: state ? await httpAnswers(state.httpPort) : false,
    state,
    logs: neo4jLogPath(home),
  };
}

/**
 * Starts a throw-away instance on ports the OS hands out. A port is free when asked for but can
 * be taken before Neo4j binds it (other processes pick ports too), so a port clash is retried
 * with fresh ports.
 */
export async function startOnFreePorts(
  spec: Omit<InstanceSpec, 'boltPort' | 'httpPort'>,
  opts: Parameters<typeof startInstance>[1] = {},
  attempts = 3,
): Promise<RunningInstance> {
  for (let i = 1; ; i++) {
    try {
      return await startInstance({ ...spec, boltPort: await freePort(), httpPort: await freePort() }, opts);
    } catch (err) {
      const clash = err instanceof SetupError && /is already in use/.test(err.message);
      if (!clash || i >= attempts) throw err;
    }
  }
}

/**
 * Neo4j's own offline backup of the local server (`neo4j-admin database dump|load`): byte-exact,
 * everything included. The server must be stopped; the store is read or replaced in place.
 */
export function adminDatabase(home: string, action: 'dump' | 'load', dir: string): string {
  if (runningPid(home) !== undefined) {
    throw new SetupError(`Neo4j in ${home} is running; a ${action} needs it stopped.`, 'Run `npm run neo4j:stop` first, then `npm start` afterwards.');
  }
  if (!existsSync(join(home, 'conf', 'neo4j.conf'))) throw new SetupError(`No local Neo4j in ${home}.`, 'Run `npm start` once to create it.');
  const java = findJava();
  const { libDir } = provisionJars();
  mkdirSync(dir, { recursive: true });
  const args =
    action === 'dump'
      ? ['database', 'dump', 'neo4j', `--to-path=${dir}`, '--overwrite-destination=true']
      : ['database', 'load', 'neo4j', `--from-path=${dir}`, '--overwrite-destination=true'];
  const r = spawnSync(java.bin, ['-cp', `${libDir}/*`, 'org.neo4j.cli.AdminTool', ...args], {
    env: { ...process.env, NEO4J_HOME: home, NEO4J_CONF: join(home, 'conf') },
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new SetupError(
      `neo4j-admin database ${action} failed:\n${(r.stderr || r.stdout).trim()}`,
      'See the message above; the store was not changed by a failed dump.',
    );
  return join(dir, 'neo4j.dump');
}
