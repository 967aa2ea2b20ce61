import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Graph } from '../../graph/driver.ts';
import { InvalidInputError, ConflictError } from '../../graph/errors.ts';
import {
  claimIdempotency,
  HEARTBEAT_SECONDS,
  heartbeatClaims,
  pruneIdempotency,
  releaseIdempotency,
  storeIdempotentResponse,
} from '../../graph/repositories/idempotency.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

declare module 'fastify' {
  interface FastifyRequest {
    /** `tookOver`: an earlier attempt's process stopped while it held the key (see claimIdempotency). */
    idempotency?: { key: string; token: string; tookOver: boolean };
  }
}

/** Reused with another request: the IETF draft (httpapi-idempotency-key-header) answers 422. */
export class IdempotencyMismatchError extends Error {
  readonly statusCode = 422;
  constructor(key: string) {
    super(`Idempotency-Key "${key}" was already used for a different request; use a new key for a new request`);
  }
}

function requestHash(req: FastifyRequest): string {
  const h = createHash('sha256').update(`${req.method} ${req.url}\n`);
  // A CSV upload is a stream that is consumed by the handler; its size and type stand in for it.
  if (req.body && typeof (req.body as { pipe?: unknown }).pipe === 'function')
    h.update(`stream ${req.headers['content-type']} ${req.headers['content-length'] ?? ''}`);
  else h.update(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null));
  return h.digest('hex');
}

/**
 * `Idempotency-Key` on POST /v1 routes: a retried request (same key, same project, same body) gets
 * the first response back instead of creating things twice. Successful responses are stored for 24 h;
 * a failed request releases its key so the retry runs again. A retry that arrives while the first
 * is still running gets 409 with Retry-After. The claims in progress here beat their heart every
 * HEARTBEAT_SECONDS, so after this process dies a retry (on any replica) takes over within seconds;
 * a route that may have written before the crash finds its work by the key (see the suggestions route).
 */
export const idempotency = fp<{ graph: Graph }>(async (app, { graph }) => {
  app.decorateRequest('idempotency', undefined);
  let lastPrune = 0;
  const inProgress = new Map<string, { projectId: string; key: string; token: string }>();
  const heart = setInterval(() => {
    heartbeatClaims(graph, [...inProgress.values()]).catch((err: unknown) => app.log.warn({ err }, 'idempotency heartbeat failed'));
  }, HEARTBEAT_SECONDS * 1000);
  heart.unref();
  app.addHook('onClose', async () => clearInterval(heart));

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST' || !req.url.startsWith('/v1/')) return;
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new InvalidInputError('headers.idempotency-key', 'must be 1-255 visible ASCII characters (a UUID is typical)');
    }
    const hash = requestHash(req);
    const claim = await claimIdempotency(graph, { projectId: req.projectId, key, method: req.method, path: req.url, requestHash: hash });
    if (Date.now() - lastPrune > 3_600_000) {
      lastPrune = Date.now();
      pruneIdempotency(graph).catch((err: unknown) => req.log.warn({ err }, 'pruning idempotency records failed'));
    }
    if (claim.state === 'claimed') {
      req.idempotency = { key, token: claim.token, tookOver: claim.tookOver };
      inProgress.set(claim.token, { projectId: req.projectId, key, token: claim.token });
      return;
    }
    if (claim.state === 'pending') {
      reply.header('Retry-After', '1');
      throw new ConflictError(`a request with Idempotency-Key "${key}" is still being processed; retry shortly`);
    }
    if (claim.requestHash !== hash) throw new IdempotencyMismatchError(key);
    reply.header('Idempotent-Replayed', 'true');
    if (claim.contentType) reply.header('content-type', claim.contentType);
    return reply.code(claim.status).send(claim.response);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = undefined;
    inProgress.delete(claim.token);
    try {
      if (reply.statusCode < 300 && typeof payload === 'string') {
        const type = reply.getHeader('content-type');
        await storeIdempotentResponse(graph, req.projectId, claim.key, claim.token, {
          status: reply.statusCode,
          contentType: typeof type === 'string' ? type : null,
          response: payload,
        });
      } else {
        await releaseIdempotency(graph, req.projectId, claim.key, claim.token);
      }
    } catch (err) {
      // The request itself succeeded or failed on its own; an unstored response only means a
      // retry after the claim times out runs again.
      req.log.warn({ err }, 'could not record the idempotent response');
    }
    return payload;
  });
});
