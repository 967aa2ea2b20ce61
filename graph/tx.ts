import { channel } from 'node:diagnostics_channel';
import { isRetryableError, type ManagedTransaction, type Result, type Session } from 'neo4j-driver';
import { isOutage } from './availability.ts';
import type { Graph } from './driver.ts';

export type Tx = ManagedTransaction;

/**
 * One write = one transaction: everything a request writes commits together or not at all.
 * executeWrite retries transient failures (deadlocks, leader switches), so the work function
 * must be safe to run again, which it is because nothing outside the transaction is touched.
 */
export function write<T>(graph: Graph, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (graph.rehearsal) return inSession(graph, 'WRITE', (session) => rolledBack(session, work));
  return inSession(graph, 'WRITE', (session) => session.executeWrite(work));
}

export function read<T>(graph: Graph, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inSession(graph, 'READ', (session) => session.executeRead(work));
}

/**
 * One statement as its own (auto-commit) transaction: atomic like write(), retried the same way,
 * but one round trip instead of three. An explicit transaction costs a BEGIN and a COMMIT message,
 * each a socket write and a reply on both sides; on the hot path (history read, tell) those
 * were a third of the driver's CPU. Only for work that is a single statement: nothing may run
 * between the statement and its commit.
 */
export function writeStatement<T = Record<string, unknown>>(graph: Graph, cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
  if (graph.rehearsal) return inSession(graph, 'WRITE', (session) => rolledBack(session, (tx) => rows<T>(tx, cypher, params)));
  return inSession(graph, 'WRITE', (session) => rows<T>(session, cypher, params));
}

/**
 * The graph as a rehearsal: each write runs for real in a transaction that is then rolled back. It
 * reads the pages and takes the paths a real write would and leaves nothing behind; the service's
 * warm-up rehearses an ask on a real experiment (see src/services/readiness.ts).
 */
export function rehearsal(graph: Graph): Graph {
  return { ...graph, rehearsal: true };
}

async function rolledBack<T>(session: Session, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = session.beginTransaction();
  try {
    return await work(tx as unknown as Tx);
  } finally {
    await tx.rollback();
  }
}

export function readStatement<T = Record<string, unknown>>(graph: Graph, cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return inSession(graph, 'READ', (session) => rows<T>(session, cypher, params));
}

/**
 * The lists a statement takes, to be passed as one map parameter and used as `$name.field`. Neo4j
 * 5 plans a statement again for each size class of a top-level list parameter (empty, 1, 2–10,
 * 11–100, more; measured on 5.26) and keeps a plan per class, while lists inside a map do not key
 * its plan cache. The suggestion path's statements take up to a second of CPU to plan and their
 * list sizes follow the load (batch sizes, priors), so new size classes kept arriving mid-run:
 * half of Neo4j's CPU in a one-experiment benchmark phase went to planning.
 */
export function listParameters<T extends Record<string, unknown[]>>(lists: T): T {
  return lists;
}

/** Retries and transactions that failed for good, one TransactionEvent each, for whoever listens (src/metrics.ts). */
export const TRANSACTION_CHANNEL = 'precedent:neo4j:transaction';
export type TransactionEvent = { mode: 'READ' | 'WRITE'; event: 'retry' | 'error'; error: unknown };
const transactions = channel(TRANSACTION_CHANNEL);
const report = (e: TransactionEvent) => transactions.publish(e);

/** Busy experiments serialize their writers on one lock; deadlocks between them are retried this long. */
const RETRY_FOR_MS = 30_000;

/**
 * Runs `work` in a managed transaction, retrying what Neo4j calls transient (deadlocks, lock
 * timeouts) with jittered back-off. An unreachable database is not retried: it trips the breaker
 * in graph/availability.ts and the request fails at once (503), unless a fresh connection works
 * right away (a stale pooled connection), which gets one more try.
 */
async function inSession<T>(graph: Graph, mode: 'READ' | 'WRITE', work: (session: Session) => Promise<T>): Promise<T> {
  const started = Date.now();
  let delay = 20;
  let reconnected = false;
  for (;;) {
    graph.availability.check();
    const session = graph.driver.session({ database: graph.database, defaultAccessMode: mode });
    try {
      return await work(session);
    } catch (err) {
      if (isOutage(err)) {
        if (!reconnected && (await graph.availability.failed())) {
          reconnected = true;
          report({ mode, event: 'retry', error: err });
          continue;
        }
        report({ mode, event: 'error', error: err });
        throw err;
      }
      const retry = isRetryableError(err as Error) && Date.now() - started + delay <= RETRY_FOR_MS;
      report({ mode, event: retry ? 'retry' : 'error', error: err });
      if (!retry) throw err;
      await new Promise((r) => setTimeout(r, delay * (0.8 + Math.random() * 0.4)));
      delay = Math.min(delay * 2, 1_000);
    } finally {
      await session.close().catch(() => undefined);
    }
  }
}

/**
 * Runs a query (in a transaction, or as one on a session) and returns its rows as plain objects.
 *
 * The driver formats a stack trace for every statement it runs, to give a failed statement its
 * caller's stack. Under tsx every formatted stack goes through source maps, and that was 3% of the
 * service's CPU in a warm initial design. So the driver gets an empty trace here; this function
 * keeps the caller's frames unformatted (V8 formats a stack when it is read) and gives them to the
 * statement's error if it fails.
 */
export async function rows<T = Record<string, unknown>>(
  tx: { run: (cypher: string, params: Record<string, unknown>) => Result },
  cypher: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const site = new Error();
  try {
    const res = await withoutStackTrace(() => tx.run(cypher, params));
    return res.records.map((r) => r.toObject() as T);
  } catch (err) {
    if (err instanceof Error) err.stack = `${(err.stack ?? String(err)).trimEnd()}\n${(site.stack ?? '').split('\n').slice(1).join('\n')}`;
    throw err;
  }
}

function withoutStackTrace<R>(run: () => R): R {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export const json = (v: unknown): string => JSON.stringify(v ?? null);
export function parseJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** Neo4j temporal values and ISO strings both come back as ISO strings. */
export function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : new Date(String(v)).toISOString();
}
