import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Graph } from '../driver.ts';
import { NotFoundError } from '../errors.ts';
import { read, rows, write } from '../tx.ts';
import { ensureProjectTx } from './projects.ts';

/**
 * API keys: a random secret handed out once, stored only as its sha256. The secret has 192 bits
 * of entropy, so a fast hash is enough (no password stretching needed) and lets a request find
 * its key with one indexed lookup.
 */
export const KEY_PREFIX = 'prc_';

export const ApiKeyInfo = z.object({
  id: z.string(),
  label: z.string().nullable(),
  /** The first characters of the secret, so a person can tell keys apart without seeing them. */
  hint: z.string(),
  project: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

export const hashKey = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function newSecret(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

const RETURN_KEY = `RETURN k.id AS id, k.label AS label, k.hint AS hint, p.name AS project,
  toString(k.createdAt) AS createdAt, toString(k.revokedAt) AS revokedAt`;

/** Creates the project if needed and a key for it; the secret is returned here and never again. */
export async function createKey(graph: Graph, projectName: string, label?: string): Promise<{ secret: string; key: ApiKeyInfo; projectId: string }> {
  const secret = newSecret();
  return write(graph, async (tx) => {
    const project = await ensureProjectTx(tx, projectName);
    const [row] = await rows(
      tx,
      `MATCH (p:Project {id: $projectId})
       CREATE (k:ApiKey {id: $id, hash: $hash, hint: $hint, label: $label, projectId: p.id, createdAt: datetime()})-[:GRANTS]->(p)
       ${RETURN_KEY}`,
      { projectId: project.id, id: randomUUID(), hash: hashKey(secret), hint: secret.slice(0, KEY_PREFIX.length + 4), label: label ?? null },
    );
    return { secret, key: ApiKeyInfo.parse(row), projectId: project.id };
  });
}

/** The project a secret grants, or null for unknown and revoked keys. */
export function projectForKey(graph: Graph, secret: string): Promise<string | null> {
  return projectForKeyHash(graph, hashKey(secret));
}

/** The project the key with this hash (hashKey) grants, or null for unknown and revoked keys. */
export async function projectForKeyHash(graph: Graph, hash: string): Promise<string | null> {
  const [row] = await read(graph, (tx) =>
    rows<{ projectId: string }>(tx, 'MATCH (k:ApiKey {hash: $hash})-[:GRANTS]->(p:Project) WHERE k.revokedAt IS NULL RETURN p.id AS projectId', { hash }),
  );
  return row?.projectId ?? null;
}

export async function listKeys(graph: Graph, projectName?: string): Promise<ApiKeyInfo[]> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `MATCH (k:ApiKey)-[:GRANTS]->(p:Project) WHERE $project IS NULL OR p.name = $project
       ${RETURN_KEY} ORDER BY p.name, k.createdAt`,
      { project: projectName ?? null },
    ),
  );
  return found.map((r) => ApiKeyInfo.parse(r));
}

export async function revokeKey(graph: Graph, id: string): Promise<ApiKeyInfo> {
  const [row] = await write(graph, (tx) =>
    rows(
      tx,
      `MATCH (k:ApiKey {id: $id})-[:GRANTS]->(p:Project)
       SET k.revokedAt = coalesce(k.revokedAt, datetime())
       ${RETURN_KEY}`,
      { id },
    ),
  );
  if (!row) throw new NotFoundError('api key', id);
  return ApiKeyInfo.parse(row);
}

/** Whether a project has any usable key (npm start creates the first one for `default`). */
export async function hasActiveKey(graph: Graph, projectName: string): Promise<boolean> {
  const [row] = await read(graph, (tx) =>
    rows<{ n: number }>(tx, 'MATCH (k:ApiKey)-[:GRANTS]->(p:Project {name: $project}) WHERE k.revokedAt IS NULL RETURN count(k) AS n', {
      project: projectName,
    }),
  );
  return (row?.n ?? 0) > 0;
}
