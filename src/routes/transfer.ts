import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { IdParams } from '../schemas/common.ts';
import { ImportResult, NdjsonBody } from '../schemas/transfer.ts';
import type { SpaceLimits } from '../../optimizers/space.ts';
import { exportLine, importStream } from '../services/transfer.ts';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines', 'application/x-jsonlines'];

export const transferRoutes: FastifyPluginAsync<{ graph: Graph; importLimit: number; limits: SpaceLimits }> = async (app, { graph, importLimit, limits }) => {
  // The body goes to the import as a stream: it is spooled and validated a chunk of lines at a time,
  // never held whole (see importStream); the import enforces the size limit itself.
  app.addContentTypeParser(NDJSON_TYPES, (_req, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/import',
    {
      config: {
        accepts: NDJSON_TYPES,
        openapi: {
          bodies: { 'application/x-ndjson': NdjsonBody },
          errors: {
            409: {
              description: 'A dataset of a line has the name and version of a registered dataset but another fingerprint (`details.line` names the line)',
              message: 'line 3: dataset "adult" version "1" already exists with a different fingerprint; give the new data a new version',
              details: { line: 3, fingerprint: 'sha256:9f2b...' },
            },
          },
        },
      },
      schema: {
        operationId: 'importExperiments',
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
      const result = await importStream(graph, req.projectId, req.body as Readable, { limits, maxBytes: importLimit });
      return reply.code(201).send(result);
    },
  );

  r.get(
    '/v1/experiments/:id/export',
    {
      config: { openapi: { produces: { status: 200, type: 'application/x-ndjson', description: 'One ExperimentLine and a newline' } } },
      schema: {
        operationId: 'exportExperiment',
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
