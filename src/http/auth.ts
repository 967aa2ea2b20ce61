import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashKey } from '../../graph/repositories/keys.ts';
import { UnauthorizedError } from './errors.ts';
import type { VerifiedKeys } from './verified-keys.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project (tenant) the caller's API key grants; every /v1 query is scoped to it. */
    projectId: string;
    /** sha256 of the caller's key: what rate limits and idempotency records are keyed by. */
    keyHash: string;
  }
}

export interface AuthOptions {
  /** The keys verified so far (each trusted for a while, see VerifiedKeys). */
  keys: VerifiedKeys;
}

/**
 * Every /v1 route needs `Authorization: Bearer <key>`; the key decides the project. A missing,
 * malformed, unknown or revoked key gets the same 401, so a caller learns nothing about which
 * keys exist.
 */
export const apiKeyAuth = fp<AuthOptions>(async (app, { keys }) => {
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
    const projectId = await keys.projectOf(hash);
    if (!projectId) throw new UnauthorizedError('invalid API key');
    req.projectId = projectId;
    req.keyHash = hash;
  });
});
