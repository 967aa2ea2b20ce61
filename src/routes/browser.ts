import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { loadQueries, loadStyle, renderGuide } from '../../graph/browser/guide.ts';

/**
 * Neo4j Browser fetches `:play` guides and `:style` sheets with fetch() from its own page, which is
 * served by Neo4j's HTTP port: another origin. So these two read-only, public documents (and only
 * they) allow any origin. Browser adds `pragma` and `cache-control` request headers, which makes the
 * request "non-simple", so a preflight OPTIONS comes first and must be answered too.
 */
function allowCrossOrigin(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const requested = req.headers['access-control-request-headers'];
  return reply
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-methods', 'GET, OPTIONS')
    .header('access-control-allow-headers', typeof requested === 'string' && requested ? requested : 'pragma, cache-control')
    .header('access-control-max-age', '600');
}

/** Where the person's browser reached this service, so guide links and `:style` point back here. */
const serviceUrl = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

export const browserRoutes: FastifyPluginAsync = async (app) => {
  // Read once: a broken queries.cypher fails the start, not the first person who opens the guide.
  const queries = loadQueries();
  const style = loadStyle();
  const doc = { tags: ['service'] };

  for (const url of ['/browser-guide', '/browser/style.grass']) {
    app.options(url, { schema: { hide: true } }, async (req, reply) => allowCrossOrigin(req, reply).code(204).send());
  }

  app.get(
    '/browser-guide',
    {
      config: { openapi: { produces: { status: 200, type: 'text/html', description: 'The guide: HTML slides with runnable queries' } } },
      schema: {
        ...doc,
        operationId: 'getBrowserGuide',
        summary: 'Neo4j Browser guide (HTML slides with runnable queries)',
        description: 'Open it in Neo4j Browser with `:play http://127.0.0.1:8080/browser-guide`. The queries come from graph/browser/queries.cypher.',
      },
    },
    async (req, reply) =>
      allowCrossOrigin(req, reply)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(renderGuide({ serviceUrl: serviceUrl(req), queries })),
  );

  app.get(
    '/browser/style.grass',
    {
      config: { openapi: { produces: { status: 200, type: 'text/plain', description: 'The GraSS style sheet' } } },
      schema: {
        ...doc,
        operationId: 'getBrowserStyle',
        summary: 'Neo4j Browser style sheet (GraSS): colours, sizes and captions',
        description: 'Apply it in Neo4j Browser with `:style http://127.0.0.1:8080/browser/style.grass`.',
      },
    },
    async (req, reply) => allowCrossOrigin(req, reply).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(style),
  );
};
