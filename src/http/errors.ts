import type { FastifyError, FastifyInstance } from 'fastify';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isOutage } from '../../graph/availability.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../graph/errors.ts';
import { DeadlineExceededError } from '../services/deadline.ts';

export const ErrorBody = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Content types the route takes, named in its 415 (default: JSON only). */
    accepts?: string[];
  }
}

/** No or an unknown API key: the caller is not told which. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/**
 * The database cannot serve the request, by Neo4j's own classification: the driver lost it
 * (ServiceUnavailable, SessionExpired, or a GQLSTATUS connection exception, class 08), it is
 * temporarily unable (TransientError, once graph/tx.ts stopped retrying), it failed on its side
 * (DatabaseError), or the configured database is gone (DatabaseNotFound, which a stopping server
 * can answer). None of these is the API client's fault or a bug in the request: 503, retry later.
 */
function isNeo4jOutage(err: unknown): boolean {
  const { code = '', gqlStatus = '' } = err as { code?: string; gqlStatus?: string };
  return (
    isOutage(err) ||
    code.startsWith('Neo.TransientError.') ||
    code.startsWith('Neo.DatabaseError.') ||
    code === 'Neo.ClientError.Database.DatabaseNotFound' ||
    gqlStatus.startsWith('08')
  );
}

/**
 * One error shape for every route: 400 names the field and the reason, domain errors keep
 * their status, an unreachable database is a 503 with Retry-After, and only genuine bugs are 500
 * (logged, with no internals in the body).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const send = (statusCode: number, body: Omit<ErrorBody, 'statusCode' | 'error'>) =>
      reply.code(statusCode).send({ statusCode, error: REASONS[statusCode] ?? 'Error', ...body });

    if (err instanceof InvalidInputError) {
      return send(400, { message: err.message, issues: err.issues });
    }
    if (err instanceof UnauthorizedError) {
      reply.header('WWW-Authenticate', 'Bearer realm="precedent"');
      return send(401, { message: err.message });
    }
    if (err instanceof NotFoundError) return send(404, { message: err.message });
    if (err instanceof ConflictError) return send(409, { message: err.message, details: err.details });
    // A uniqueness constraint caught a race between two writers (e.g. the same id imported twice at
    // once): the request conflicts with another one, it is not a server bug.
    if ((err as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      req.log.warn({ err }, 'constraint violation');
      return send(409, { message: 'the request conflicts with data written at the same time; retry it' });
    }
    if (isNeo4jOutage(err)) {
      req.log.warn({ err }, 'Neo4j unavailable');
      // The breaker in graph/availability.ts probes twice a second, so a short wait is enough.
      reply.header('Retry-After', '2');
      return send(503, { message: 'The knowledge graph database is unavailable; retry shortly.' });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return send(500, { message: 'Internal error' });
    }
    const status = err.statusCode ?? 500;
    if (err instanceof DeadlineExceededError) {
      reply.header('Retry-After', '1');
      return send(503, { message: err.message });
    }
    if (status === 415) {
      const accepted = req.routeOptions.config?.accepts ?? ['application/json'];
      const got =
        String(req.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim() || 'none';
      return send(415, {
        message: `Content-Type ${JSON.stringify(got)} is not accepted by ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}; send ${accepted.join(' or ')} (e.g. curl -H 'content-type: ${accepted[0]}')`,
        details: { accepted },
      });
    }
    // Fastify's own client errors (bad JSON, body too large) carry a 4xx status.
    if (status >= 400 && status < 500) {
      return send(status, { message: err.message });
    }
    req.log.error({ err }, 'unhandled error');
    return send(500, { message: 'Internal error' });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method} ${req.url.split('?')[0]} not found` });
  });
}
