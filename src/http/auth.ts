import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Graph } from '../../graph/driver.ts';
import { hashKey, projectForKey } from '../../graph/repositories/keys.ts';
import { UnauthorizedError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project (tenant) the caller's API key grants; every /v1 query is scoped to it. */
    projectId: string;
    /** sha256 of the caller's key: what rate limits and idempotency records are keyed by. */
    keyHash: string;
  }
}

export interface AuthOptions {
  graph: Graph;
  /** How long a verified key is trusted without asking Neo4j again (revocation takes effect after it). */
  cacheSeconds?: number;
}

const CACHE_MAX = 10_000;

/**
 * Every /v1 route needs `Authorization: Bearer <key>`; the key decides the project. A missing,
 * malformed, unknown or revoked key gets the same 401, so a caller learns nothing about which
 * keys exist.
 */
export const apiKeyAuth = fp<AuthOptions>(async (app, { graph, cacheSeconds = 10 }) => {
  const verified = new Map<string, { projectId: string; until: number }>();
  app.decorateRequest('projectId', '');
  app.decorateRequest('keyHash', '');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/v1/')) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1])
      throw new UnauthorizedError('an API key is required: send Authorization: Bearer <key> (create one with `npm run keys -- create --project <name>`)');
    const secret = match[1];
    if (secret.length > 200) throw new UnauthorizedError('invalid API key');
    const hash = hashKey(secret);
    const now = Date.now();
    let hit = verified.get(hash);
    if (!hit || hit.until < now) {
      const projectId = await projectForKey(graph, secret);
      if (!projectId) {
        verified.delete(hash);
        throw new UnauthorizedError('invalid API key');
      }
      if (verified.size >= CACHE_MAX) verified.clear();
      hit = { projectId, until: now + cacheSeconds * 1000 };
      verified.set(hash, hit);
    }
    req.projectId = hit.projectId;
    req.keyHash = hash;
  });
});
