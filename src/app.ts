import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Graph } from '../graph/driver.ts';
import { installErrorHandler } from './http/errors.ts';
import { healthRoutes } from './routes/health.ts';
import { SERVICE_VERSION } from './version.ts';

export interface AppOptions {
  graph: Graph;
  logger?: FastifyServerOptions['logger'];
  /** Upper bound for JSON bodies; CSV uploads have their own limit. */
  bodyLimit?: number;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    // Graceful shutdown: refuse new connections, let in-flight requests finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'precedent',
        version: SERVICE_VERSION,
        description:
          'Knowledge-driven hyperparameter optimization: experiments are stored in a Neo4j knowledge graph and new searches warm-start from similar past ones.',
      },
      tags: [{ name: 'service', description: 'Health and documentation' }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { graph: opts.graph });
  return app;
}
