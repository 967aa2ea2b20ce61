/**
 * Ask-and-tell clients in a process of their own (started by `askTellClients()`): the service is one
 * Node thread, and clients sharing it take their HTTP work off the service's time, which is not what
 * a deployment sees (workers run elsewhere). Here they run beside it, on the same two cores, and
 * their CPU is counted apart. They use node:http with a keep-alive agent, the leanest client Node has.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface ClientRun {
  base: string;
  secret: string;
  experiments: string[];
  seconds: number;
  clients: number;
  /** Path prefixes: asks go to `${ask}/${experiment}/suggestions`, tells to `${tell}/${trial}/complete`. */
  ask: string;
  tell: string;
}

export interface ClientResult {
  done: number;
  asks: number[];
  /** Milliseconds per tell (complete), as the client saw them. */
  tells: number[];
  /** Server-Timing entries of every response, by name. */
  phases: Record<string, number[]>;
}

type Reply = { status: number; body: any; timing: string };

function post(agent: Agent, base: URL, path: string, body: unknown, secret: string): Promise<Reply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${secret}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
              timing: String(res.headers['server-timing'] ?? ''),
            });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(job: ClientRun): Promise<ClientResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  const base = new URL(job.base);
  const phases: Record<string, number[]> = {};
  const asks: number[] = [];
  const tells: number[] = [];
  let done = 0;
  let s = 7;
  const value = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const send = async (path: string, body: unknown) => {
    const res = await post(agent, base, path, body, job.secret);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    for (const part of res.timing.split(',').filter(Boolean)) {
      const [name, dur] = part.trim().split(';dur=');
      if (name && dur) (phases[name] ??= []).push(Number(dur));
    }
    return res.body;
  };
  const until = performance.now() + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.clients }, async (_, c) => {
      const id = job.experiments[c % job.experiments.length]!;
      while (performance.now() < until) {
        const t0 = performance.now();
        const { trials } = await send(`${job.ask}/${id}/suggestions`, { count: 1 });
        const t1 = performance.now();
        asks.push(t1 - t0);
        await send(`${job.tell}/${trials[0].id}/complete`, { value: value() });
        tells.push(performance.now() - t1);
        done++;
      }
    }),
  );
  agent.destroy();
  return { done, asks, tells, phases };
}

/** A client process, ready for runs; `stop()` ends it. */
export function askTellClients(): { pid: number; run: (job: ClientRun) => Promise<ClientResult>; stop: () => void } {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve: (r: ClientResult) => void; reject: (e: Error) => void } | null = null;
  child.on('message', (m: { result?: ClientResult; error?: string }) => {
    const p = pending;
    pending = null;
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result!);
  });
  child.on('exit', (code) => pending?.reject(new Error(`client process exited (${code})`)));
  return {
    pid: child.pid!,
    run: (job) =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(job);
      }),
    stop: () => void child.kill(),
  };
}

if (process.argv.includes('--child')) {
  process.on('message', (job: ClientRun) => {
    run(job).then(
      (result) => process.send!({ result }),
      (err: unknown) => process.send!({ error: String(err instanceof Error ? err.stack : err) }),
    );
  });
}
