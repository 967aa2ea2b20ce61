import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { rows, write } from '../tx.ts';

/**
 * Idempotency-Key records: the first request with a key claims it (a unique constraint on
 * (projectId, key) decides between concurrent retries), runs, and stores its response; later
 * requests with the key get that response back.
 */
export interface IdempotencyRequest {
  projectId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

export type Claim =
  /** `tookOver`: an earlier claim of the key was abandoned (its process stopped answering). */
  | { state: 'claimed'; token: string; tookOver: boolean }
  | { state: 'pending' }
  | { state: 'done'; requestHash: string; method: string; path: string; status: number; contentType: string | null; response: string };

/**
 * The process that holds a claim beats its heart every HEARTBEAT_SECONDS (see heartbeatClaims); a
 * claim whose heart has not beaten for ABANDONED_AFTER_SECONDS belongs to a process that stopped,
 * and the next retry takes it over.
 */
export const HEARTBEAT_SECONDS = 1;
export const ABANDONED_AFTER_SECONDS = 4;
/** Stored responses are kept this long, like the 24 h of common payment APIs. */
export const RETENTION_HOURS = 24;

export async function claimIdempotency(graph: Graph, r: IdempotencyRequest): Promise<Claim> {
  const token = randomUUID();
  const [row] = await write(graph, (tx) =>
    rows<{
      state: string;
      token: string;
      requestHash: string;
      method: string;
      path: string;
      status: number | null;
      contentType: string | null;
      response: string | null;
      takeOver: boolean;
    }>(
      tx,
      `MERGE (r:IdempotencyRecord {projectId: $projectId, key: $key})
       ON CREATE SET r.state = 'pending', r.token = $token, r.createdAt = datetime(), r.heartbeatAt = datetime(),
                     r.method = $method, r.path = $path, r.requestHash = $requestHash
       WITH r, r.token <> $token AND r.state = 'pending'
               AND coalesce(r.heartbeatAt, r.createdAt) < datetime() - duration({seconds: $abandoned}) AS takeOver
       // Take over a claim whose owner stopped beating its heart (it crashed or lost the database).
       FOREACH (_ IN CASE WHEN takeOver THEN [1] ELSE [] END |
         SET r.token = $token, r.createdAt = datetime(), r.heartbeatAt = datetime(), r.method = $method, r.path = $path, r.requestHash = $requestHash)
       RETURN r.state AS state, r.token AS token, r.requestHash AS requestHash, r.method AS method, r.path AS path,
              r.status AS status, r.contentType AS contentType, r.response AS response, takeOver`,
      { ...r, token, abandoned: int(ABANDONED_AFTER_SECONDS) },
    ),
  );
  if (!row) throw new Error('idempotency claim returned no row');
  if (row.state === 'done') {
    return {
      state: 'done',
      requestHash: row.requestHash,
      method: row.method,
      path: row.path,
      status: Number(row.status),
      contentType: row.contentType,
      response: row.response ?? '',
    };
  }
  return row.token === token ? { state: 'claimed', token, tookOver: row.takeOver } : { state: 'pending' };
}

/** Keeps this process's claims alive: they are in progress, not abandoned. */
export async function heartbeatClaims(graph: Graph, claims: { projectId: string; key: string; token: string }[]): Promise<void> {
  if (claims.length === 0) return;
  await write(graph, (tx) =>
    tx.run(
      `UNWIND $claims AS c
       MATCH (r:IdempotencyRecord {projectId: c.projectId, key: c.key}) WHERE r.token = c.token AND r.state = 'pending'
       SET r.heartbeatAt = datetime()`,
      { claims },
    ),
  );
}

export async function storeIdempotentResponse(
  graph: Graph,
  projectId: string,
  key: string,
  token: string,
  res: { status: number; contentType: string | null; response: string },
): Promise<void> {
  await write(graph, (tx) =>
    tx.run(
      `MATCH (r:IdempotencyRecord {projectId: $projectId, key: $key}) WHERE r.token = $token
       SET r.state = 'done', r.status = $status, r.contentType = $contentType, r.response = $response, r.completedAt = datetime()`,
      { projectId, key, token, status: int(res.status), contentType: res.contentType, response: res.response },
    ),
  );
}

/** A request that failed releases its key, so a retry runs it again. */
export async function releaseIdempotency(graph: Graph, projectId: string, key: string, token: string): Promise<void> {
  await write(graph, (tx) =>
    tx.run("MATCH (r:IdempotencyRecord {projectId: $projectId, key: $key}) WHERE r.token = $token AND r.state = 'pending' DELETE r", { projectId, key, token }),
  );
}

export async function pruneIdempotency(graph: Graph, limit = 1000): Promise<number> {
  const [row] = await write(graph, (tx) =>
    rows<{ n: number }>(
      tx,
      `MATCH (r:IdempotencyRecord) WHERE r.createdAt < datetime() - duration({hours: $hours})
       WITH r LIMIT $limit DELETE r RETURN count(*) AS n`,
      { hours: int(RETENTION_HOURS), limit: int(limit) },
    ),
  );
  return row?.n ?? 0;
}
