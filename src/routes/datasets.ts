import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import { createDataset, getDataset, listDatasets } from '../../graph/repositories/datasets.ts';
import { misspeltName, parseOrThrow } from '../http/validation.ts';
import { META_FEATURE_DOCS } from '../metafeatures/definitions.ts';
import { IdParams, page } from '../schemas/common.ts';
import { CreateDatasetBody, CsvBody, CsvUploadQuery, DatasetPage, DatasetResponse, ListDatasetsQuery } from '../schemas/datasets.ts';
import { registerCsvDataset } from '../services/datasets.ts';
import { metaFeatureEmbedding } from '../similarity/embedding.ts';

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
      const body = parseOrThrow(CreateDatasetBody, req.body, 'body');
      const { dataset, created } = await createDataset(graph, req.projectId, { ...body, embedding: metaFeatureEmbedding(body.metaFeatures) });
      // Registering again does not change a dataset: other meta-features would otherwise be dropped
      // without a word (a misspelt name corrected, say), and similarity would go on using the old ones.
      // None given is a look-up by name and version, as no fingerprint is.
      const given = Object.keys(body.metaFeatures).length > 0;
      const changed = created || !given ? [] : changedMetaFeatures(body.metaFeatures, dataset.metaFeatures);
      if (changed.length > 0) {
        throw new ConflictError(
          `dataset "${dataset.name}" version "${dataset.version}" is registered with other meta-features (${changed.slice(0, 5).join('; ')}${changed.length > 5 ? '; …' : ''}); registering again does not change them: give these a new version`,
          { datasetId: dataset.id, metaFeatures: dataset.metaFeatures },
        );
      }
      const notes = misspeltMetaFeatures(Object.keys(body.metaFeatures));
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

/** The meta-features whose given and registered values differ, as `name: given x, registered y` (— where one has none). */
function changedMetaFeatures(given: Record<string, number>, registered: Record<string, number>): string[] {
  const show = (v: number | undefined) => (v === undefined ? '—' : String(v));
  return [...new Set([...Object.keys(given), ...Object.keys(registered)])]
    .sort()
    .filter((n) => given[n] !== registered[n])
    .map((n) => `${n}: given ${show(given[n])}, registered ${show(registered[n])}`);
}

const PROFILED = Object.keys(META_FEATURE_DOCS);

/**
 * Names that look like a misspelt meta-feature of the profiler's (one or two letters off): similarity
 * compares meta-features by name, so `number_of_instance` is never compared with a profiled dataset's
 * `number_of_instances`. Names of one's own (another tool's, a suite's) draw nothing.
 */
function misspeltMetaFeatures(names: string[]): string[] {
  const given = new Set(names);
  return names.flatMap((name) => {
    if (META_FEATURE_DOCS[name] !== undefined) return [];
    const near = misspeltName(name, PROFILED);
    return near && !given.has(near)
      ? [
          `meta-feature '${name}' is not one the profiler computes; did you mean '${near}'? Similarity compares meta-features by name, so datasets profiled from a CSV have no '${name}'`,
        ]
      : [];
  });
}
