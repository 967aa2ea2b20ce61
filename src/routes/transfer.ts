import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { IdParams } from '../schemas/common.ts';
import { ImportResult } from '../schemas/transfer.ts';
import type { SpaceLimits } from '../../optimizers/space.ts';
import { exportLine, runImport } from '../services/transfer.ts';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines', 'application/x-jsonlines'];

export const transferRoutes: FastifyPluginAsync<{ graph: Graph; importLimit: number; limits: SpaceLimits }> = async (app, { graph, importLimit, limits }) => {
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string', bodyLimit: importLimit }, (_req, body, done) => done(null, body));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/import',
    {
      config: { accepts: NDJSON_TYPES },
      schema: {
        tags: ['transfer'],
        summary: 'Import experiments in the JSON Lines format (one experiment per line)',
        description:
          '`Content-Type: application/x-ndjson`. Each line is an ExperimentLine (see docs/operations.md, "Import and export"). Every line is validated ' +
          'before anything is written; each experiment is then written in one transaction. An experiment this project already imported ' +
          '(recognised by its source id, or by its content when the line has no id) or already holds is skipped, so importing the same ' +
          'file again, or re-running an interrupted import, creates nothing twice.',
        response: { 201: ImportResult },
      },
    },
    async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : '';
      return reply.code(201).send(await runImport(graph, req.projectId, text, limits));
    },
  );

  r.get(
    '/v1/experiments/:id/export',
    {
      schema: {
        tags: ['transfer'],
        summary: 'Export an experiment as one JSON Lines record',
        params: IdParams,
        produces: ['application/x-ndjson'],
      },
    },
    async (req, reply) => {
      const line = await exportLine(graph, req.projectId, req.params.id);
      return reply.type('application/x-ndjson').send(`${line}\n`);
    },
  );
};
