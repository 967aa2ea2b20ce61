import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serverInfo, type Graph } from '../../graph/driver.ts';
import type { Readiness } from '../services/readiness.ts';
import { SERVICE_VERSION } from '../version.ts';

export const HealthBody = z
  .object({
    status: z.enum(['ok', 'degraded']),
    service: z.object({ name: z.literal('precedent'), version: z.string(), uptimeSeconds: z.number() }),
    /** False while the process warms its query plans after a start or an outage: it serves, but slowly. */
    ready: z.boolean(),
    neo4j: z.object({
      status: z.enum(['up', 'down']),
      version: z.string().optional(),
      edition: z.string().optional(),
      database: z.string(),
      latencyMs: z.number().optional(),
      error: z.string().optional(),
    }),
  })
  .meta({ id: 'Health' });

const PROBE_TIMEOUT_MS = 2_000;

export const ApiIndexBody = z
  .object({
    service: z.object({ name: z.literal('precedent'), version: z.string() }),
    /** Where to read next, as paths on this server. */
    documentation: z.string(),
    openapi: z.string(),
    health: z.string(),
    dashboard: z.string(),
    authentication: z.string(),
    resources: z.array(z.object({ path: z.string(), description: z.string() })),
  })
  .meta({ id: 'ApiIndex' });

/** The collections under /v1, for someone who opened the API's root in a browser or with curl. */
const RESOURCES = [
  { path: '/v1/datasets', description: 'datasets and their meta-features' },
  { path: '/v1/experiments', description: 'experiments: ask (POST /v1/experiments/{id}/suggestions) and tell (POST /v1/trials/{id}/complete)' },
  { path: '/v1/similar-experiments', description: 'past experiments most similar to a dataset or to meta-features (POST)' },
  { path: '/v1/import', description: 'import experiments as JSON Lines (POST); GET /v1/experiments/{id}/export exports one' },
];

export const healthRoutes: FastifyPluginAsync<{ graph: Graph; readiness?: Readiness }> = async (app, { graph, readiness }) => {
  const started = Date.now();
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1',
    {
      config: { openapi: { responses: { 200: 'What the API holds and where its documentation is' } } },
      schema: {
        operationId: 'getApiIndex',
        tags: ['service'],
        security: [],
        summary: 'The API root: version, documentation and collections',
        description: 'Open to everyone (the URL `npm start` prints as the API). Every other /v1 route needs `Authorization: Bearer <API key>`.',
        response: { 200: ApiIndexBody },
      },
    },
    async () => ({
      service: { name: 'precedent' as const, version: SERVICE_VERSION },
      documentation: '/docs',
      openapi: '/openapi.json',
      health: '/health',
      dashboard: '/ui/',
      authentication: "Authorization: Bearer <API key> on every /v1 route below (npm start prints the default project's key)",
      resources: RESOURCES,
    }),
  );
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      config: {
        openapi: {
          responses: {
            200: 'Neo4j answers and the process is ready',
            503: 'Neo4j does not answer, or the process is still warming its query plans (`ready: false`)',
          },
        },
      },
      schema: {
        operationId: 'getHealth',
        tags: ['service'],
        security: [],
        summary: 'Service and Neo4j status',
        description:
          'Open to everyone. 200 when Neo4j answers and the process is ready; 503 when Neo4j does not answer, or while the process warms ' +
          'its query plans after a start or an outage (`ready: false`): a load balancer sends requests elsewhere meanwhile.',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_req, reply) => {
      const t0 = performance.now();
      const base = { name: 'precedent' as const, version: SERVICE_VERSION, uptimeSeconds: Math.round((Date.now() - started) / 1000) };
      try {
        // A hung database must not hang the health check that is supposed to detect it.
        const info = await Promise.race([
          serverInfo(graph),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref()),
        ]);
        const ready = readiness?.ready ?? true;
        if (!ready) reply.code(503).header('Retry-After', '2');
        return {
          status: ready ? ('ok' as const) : ('degraded' as const),
          service: base,
          ready,
          neo4j: { status: 'up' as const, ...info, database: graph.database, latencyMs: Math.round((performance.now() - t0) * 10) / 10 },
        };
      } catch (err) {
        reply.code(503).header('Retry-After', '5');
        return {
          status: 'degraded' as const,
          service: base,
          ready: false,
          neo4j: { status: 'down' as const, database: graph.database, error: (err as Error).message },
        };
      }
    },
  );
};
