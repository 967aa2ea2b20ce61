import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a route adds to its request's completion line (an ask: strategy, compute and queue time). */
    logFields: Record<string, unknown> | null;
  }
}

/**
 * Fastify's per-request log lines, with a completion line an operator can search and join: besides
 * the request id (`reqId`, on every line of the request) it names the route template (not the URL,
 * so `/v1/experiments/:id/suggestions` finds every ask), the status, the duration in milliseconds and
 * the project of the API key (its id, never the key), plus what the route added (see logFields).
 */
export class RequestLog extends LogController {
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.projectId ? { projectId: request.projectId } : {}),
      ...request.logFields,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/** Lets routes add fields to their completion line: `req.logFields = { … }`. */
export function decorateLogFields(app: FastifyInstance): void {
  app.decorateRequest('logFields', null);
}
