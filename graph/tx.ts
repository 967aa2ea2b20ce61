import type { ManagedTransaction } from 'neo4j-driver';
import type { Graph } from './driver.ts';

export type Tx = ManagedTransaction;

/**
 * One write = one transaction: everything a request writes commits together or not at all.
 * executeWrite retries transient failures (deadlocks, leader switches), so the work function
 * must be safe to run again, which it is because nothing outside the transaction is touched.
 */
export function write<T>(graph: Graph, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inSession(graph, 'WRITE', work);
}

export function read<T>(graph: Graph, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inSession(graph, 'READ', work);
}

async function inSession<T>(graph: Graph, mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
  const session = graph.driver.session({ database: graph.database, defaultAccessMode: mode });
  try {
    return await (mode === 'WRITE' ? session.executeWrite(work) : session.executeRead(work));
  } finally {
    await session.close();
  }
}

/** Runs a query and returns its rows as plain objects. */
export async function rows<T = Record<string, unknown>>(tx: Tx, cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const res = await tx.run(cypher, params);
  return res.records.map((r) => r.toObject() as T);
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
