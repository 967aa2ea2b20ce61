import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Graph } from '../graph/driver.ts';
import { DEFAULT_SPACE_LIMITS, type SpaceLimits } from '../optimizers/space.ts';
import { apiKeyAuth } from './http/auth.ts';
import { VerifiedKeys } from './http/verified-keys.ts';
import { installErrorHandler } from './http/errors.ts';
import { idempotency } from './http/idempotency.ts';
import { validatorCompiler } from './http/validation.ts';
import { browserRoutes } from './routes/browser.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { sharingRoutes } from './routes/sharing.ts';
import { similarRoutes } from './routes/similar.ts';
import { MetaFeatureRanges } from './similarity/meta-feature-ranges.ts';
import { suggestionRoutes } from './routes/suggestions.ts';
import type { Readiness } from './services/readiness.ts';
import { ResultWriter } from './services/results.ts';
import { SuggestionService, type SuggestionServiceOptions } from './services/suggestions.ts';
import { transferRoutes } from './routes/transfer.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { type UiOptions, uiRoutes } from './routes/ui.ts';
import { trialRoutes } from './routes/trials.ts';
import { instrument } from './metrics.ts';
import { decorateLogFields, RequestLog } from './http/request-log.ts';
import { swaggerOptions } from './openapi.ts';

export interface AppOptions {
  graph: Graph;
  logger?: FastifyServerOptions['logger'];
  /** Upper bound for JSON bodies; CSV uploads have their own limit. */
  bodyLimit?: number;
  /** Largest CSV profiled through POST /v1/datasets (streamed, never buffered). */
  csvLimit?: number;
  /** Largest JSON Lines import body. */
  importLimit?: number;
  suggestions?: Partial<SuggestionServiceOptions>;
  /** Requests per minute per API key on /v1 (default 6000); 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** How long a verified API key is trusted before Neo4j is asked again. */
  authCacheSeconds?: number;
  /** The largest search spaces accepted (see optimizers/space.ts). */
  spaceLimits?: SpaceLimits;
  /** Whether the query plans are warm: /health answers 503 until they are (see services/readiness.ts). */
  readiness?: Readiness;
  /** Where clients reach the service: the OpenAPI document's `servers` (default http://127.0.0.1:8080). */
  publicUrl?: string;
  /** The web dashboard at /ui/ (src/routes/ui.ts): Neo4j Browser's address for its links, how often a running experiment's page polls. */
  ui?: UiOptions;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Request logs carry no headers today; the redaction keeps it so if a serializer ever adds them.
    logger: opts.logger && typeof opts.logger === 'object' ? { redact: ['req.headers.authorization'], ...opts.logger } : (opts.logger ?? false),
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    // Graceful shutdown: refuse new connections, let in-flight requests finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // One line per finished request with its route, status, duration and project (see http/request-log.ts).
    logController: new RequestLog(),
    ajv: { customOptions: { coerceTypes: false } },
  });
  // An empty body with a JSON content type means "no body" (curl -X POST -H 'content-type:
  // application/json' is common for pause/resume); fastify's default parser rejects it.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    jsonParser(req, text, done);
  });
  // A text/plain body is not JSON: a 415 that names the accepted types says so better than a 400.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  // Strict query strings everywhere: a route that declares none takes none, so `?nmae=x` is a 400
  // naming the parameter instead of a filter silently ignored.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    route.schema ??= {};
    route.schema.querystring ??= z.strictObject({});
  });
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // Request durations, the breaker and readiness for /metrics (served by a listener of its own, see metrics.ts).
  instrument(app, opts.graph, opts.readiness);
  decorateLogFields(app);

  await app.register(swagger, swaggerOptions(opts.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { graph: opts.graph, readiness: opts.readiness });
  await app.register(browserRoutes);
  const keys = new VerifiedKeys(opts.graph, opts.authCacheSeconds ?? 10);
  // After an outage the keys used last are verified again before the process reports ready.
  const unverify = opts.readiness?.also(() => keys.reverify());
  await app.register(apiKeyAuth, { keys });
  await app.register(idempotency, { graph: opts.graph });
  const perMinute = opts.rateLimitPerMinute ?? 6000;
  if (perMinute > 0) {
    // Registered after auth so the limit is per key (a key shared by many workers shares its budget);
    // routes outside /v1 (health, docs) are not limited.
    await app.register(rateLimit, {
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => req.keyHash || req.ip,
      allowList: (req) => !req.url.startsWith('/v1/'),
      errorResponseBuilder: (_req, ctx) => {
        const err = new Error(`rate limit of ${ctx.max} requests per minute for this API key exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`) as Error & {
          statusCode: number;
        };
        err.statusCode = 429;
        return err;
      },
    });
  }
  await app.register(datasetRoutes, { graph: opts.graph, csvLimit: opts.csvLimit ?? 2 * 1024 ** 3 });
  const limits = opts.spaceLimits ?? DEFAULT_SPACE_LIMITS;
  await app.register(experimentRoutes, { graph: opts.graph, limits });
  // One per process: the similarity routes and the prior choice read the same ranges.
  const ranges = new MetaFeatureRanges(opts.graph);
  const suggestions = new SuggestionService(opts.graph, opts.suggestions, ranges);
  // The service's copies must be dropped at every restart of Neo4j, also one that happens while no
  // request runs (see Availability.watch): a second's probe costs nothing beside that.
  opts.graph.availability.watch(1000);
  // After an outage, the experiments it served are built again before the process reports ready.
  const unprime = opts.readiness?.also(() => suggestions.primeAfterOutage());
  app.addHook('onClose', () => {
    keys.close();
    unverify?.();
    unprime?.();
    return suggestions.close();
  });
  // Results written here are applied to the service's history copies, so the next ask needs no read.
  const results = new ResultWriter(opts.graph, (projectId, { trial, event }) => event && suggestions.told(projectId, trial, event));
  await app.register(trialRoutes, { graph: opts.graph, results });
  await app.register(similarRoutes, { graph: opts.graph, ranges });
  await app.register(suggestionRoutes, { graph: opts.graph, suggestions });
  await app.register(sharingRoutes, { graph: opts.graph });
  await app.register(transferRoutes, { graph: opts.graph, importLimit: opts.importLimit ?? 512 * 1024 ** 2, limits });
  await app.register(dashboardRoutes, { graph: opts.graph });
  await app.register(uiRoutes, opts.ui ?? {});
  return app;
}
