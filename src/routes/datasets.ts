import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import type { Graph } from '../../graph/driver.ts';
import { getDataset, listDatasets } from '../../graph/repositories/datasets.ts';
import { parseOrThrow } from '../http/validation.ts';
import { IdParams, page } from '../schemas/common.ts';
import { CreateDatasetBody, CsvBody, CsvUploadQuery, DatasetPage, DatasetResponse, ListDatasetsQuery } from '../schemas/datasets.ts';
import { registerCsvDataset, registerDataset } from '../services/datasets.ts';

export interface DatasetRouteOptions {
  graph: Graph;
  /** Largest CSV accepted for profiling, in bytes. */
  csvLimit: number;
}

export const datasetRoutes: FastifyPluginAsync<DatasetRouteOptions> = async (app, { graph, csvLimit }) => {
  // The CSV is handed to the profiler as a stream: it is never buffered whole.
  app.addContentTypeParser(['text/csv', 'application/csv'], (_req, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/datasets',
    {
      config: {
        accepts: ['application/json', 'text/csv'],
        // The handler parses either body itself: the route schema has none.
        openapi: {
          bodies: { 'application/json': CreateDatasetBody, 'text/csv': CsvBody },
          errors: {
            409: {
              description:
                'The same name and version are registered with a different fingerprint, or (JSON body) with other meta-features than given: different data needs a new version',
              message: 'dataset "credit" version "1" already exists with a different fingerprint; give the new data a new version',
              details: { datasetId: '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01', fingerprint: 'sha256:9f2b...' },
            },
          },
          responses: { 200: 'Already registered (same name and version): the existing dataset', 201: 'Registered' },
        },
      },
      schema: {
        operationId: 'createDataset',
        tags: ['datasets'],
        summary: 'Register a dataset, with meta-features or a CSV to profile',
        description:
          'JSON body (DatasetInput): meta-features given by the user. `Content-Type: text/csv` body: the file is profiled while it streams ' +
          '(meta-features, fingerprint, size); name, version, target and taskType come from the query string. ' +
          'Registering the same name and version again returns the existing dataset (200); a different fingerprint, or other meta-features, is 409.',
        querystring: CsvUploadQuery.partial(),
        response: { 200: DatasetResponse, 201: DatasetResponse },
      },
    },
    async (req, reply) => {
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim();
      if (type === 'text/csv' || type === 'application/csv') {
        const q = parseOrThrow(CsvUploadQuery, req.query, 'querystring');
        const { dataset, created, profile } = await registerCsvDataset(graph, req.projectId, req.body as Readable, {
          name: q.name,
          version: q.version,
          description: q.description,
          profile: { target: q.target, taskType: q.taskType, sampleRows: q.sampleRows, seed: q.seed, maxBytes: csvLimit },
        });
        return reply.code(created ? 201 : 200).send({ ...dataset, profile });
      }
      const { dataset, created, notes } = await registerDataset(graph, req.projectId, parseOrThrow(CreateDatasetBody, req.body, 'body'));
      return reply.code(created ? 201 : 200).send(notes.length > 0 ? { ...dataset, notes } : dataset);
    },
  );

  r.get(
    '/v1/datasets',
    { schema: { operationId: 'listDatasets', tags: ['datasets'], summary: 'List datasets', querystring: ListDatasetsQuery, response: { 200: DatasetPage } } },
    async (req) => {
      const { items, total } = await listDatasets(graph, req.projectId, req.query);
      return page(items, total, req.query);
    },
  );

  r.get(
    '/v1/datasets/:id',
    {
      schema: {
        operationId: 'getDataset',
        tags: ['datasets'],
        summary: 'One dataset with its meta-features',
        params: IdParams,
        response: { 200: DatasetResponse },
      },
    },
    async (req) => getDataset(graph, req.projectId, req.params.id),
  );
};
