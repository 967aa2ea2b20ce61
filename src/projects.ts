import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Graph } from '../graph/driver.ts';
import { InvalidInputError } from '../graph/errors.ts';
import { ensureProject } from '../graph/repositories/projects.ts';

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

export const DEFAULT_PROJECT = 'default';
export const PROJECT_HEADER = 'x-precedent-project';

/**
 * Every /v1 request acts inside one project (the tenant). Until API keys exist the project is
 * named by a header and created on first use; ids are cached because they never change.
 */
export const projectScope = fp<{ graph: Graph }>(async (app, { graph }) => {
  const ids = new Map<string, string>();
  app.decorateRequest('projectId', '');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/v1/')) return;
    const raw = req.headers[PROJECT_HEADER];
    const name = (Array.isArray(raw) ? raw[0] : raw)?.trim() || DEFAULT_PROJECT;
    if (name.length > 100) throw new InvalidInputError(`headers.${PROJECT_HEADER}`, 'must be at most 100 characters');
    let id = ids.get(name);
    if (!id) {
      id = (await ensureProject(graph, name)).id;
      ids.set(name, id);
    }
    req.projectId = id;
  });
});
