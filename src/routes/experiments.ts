import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { changeStatus, getExperimentDetail, listExperiments, readCandidates } from '../../graph/repositories/experiments.ts';
import { Configuration } from '../../graph/model.ts';
import { IdParams, PageQuery, page, pageOf } from '../schemas/common.ts';
import { CreateExperimentBody, ExperimentDetailResponse, ExperimentPage, ExperimentResponse, ListExperimentsQuery } from '../schemas/experiments.ts';
import type { SpaceLimits } from '../../optimizers/space.ts';
import { createOrReuseExperiment } from '../services/experiments.ts';

export const experimentRoutes: FastifyPluginAsync<{ graph: Graph; limits: SpaceLimits }> = async (app, { graph, limits }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/experiments',
    {
      config: {
        openapi: {
          errors: {
            404: 'No dataset with this datasetId in the project',
            409: {
              description:
                'ifExists is "error" and the name is taken, or "reuse" and the experiment of that name differs (`details` names the first difference)',
              message:
                'experiment "churn-xgboost" (5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01) exists with a different objective.metric: "auc" there, "logloss" here; give this search another name, or send the same definition to resume it',
              details: { experimentId: '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01', field: 'objective.metric', existing: '"auc"', requested: '"logloss"' },
            },
          },
          responses: { 200: 'ifExists "reuse": the existing experiment of that name', 201: 'Created' },
        },
      },
      schema: {
        operationId: 'createExperiment',
        tags: ['experiments'],
        summary: 'Start an experiment (one optimization study)',
        description:
          'Links the experiment to its dataset and model. Without a seed one is drawn and recorded, so every suggestion can be replayed. ' +
          'With `candidates` (a finite menu of configurations, e.g. a grid or the rows of a table), suggestions come only from the menu, ' +
          'each configuration at most once; once every candidate is evaluated or pending, suggestions answer 409. ' +
          'With `ifExists: "reuse"` a script that runs again resumes its experiment instead of starting another (200).',
        body: CreateExperimentBody,
        response: { 200: ExperimentResponse, 201: ExperimentResponse },
      },
    },
    async (req, reply) => {
      const { experiment, created } = await createOrReuseExperiment(graph, req.projectId, req.body, limits);
      return reply.code(created ? 201 : 200).send(experiment);
    },
  );

  r.get(
    '/v1/experiments',
    {
      schema: {
        operationId: 'listExperiments',
        tags: ['experiments'],
        summary: 'List experiments (filter by dataset, model name, status)',
        querystring: ListExperimentsQuery,
        response: { 200: ExperimentPage },
      },
    },
    async (req) => {
      const { items, total } = await listExperiments(graph, req.projectId, req.query);
      return page(items, total, req.query);
    },
  );

  r.get(
    '/v1/experiments/:id',
    {
      schema: {
        operationId: 'getExperiment',
        tags: ['experiments'],
        summary: 'One experiment with trial counts per state and its best trial',
        params: IdParams,
        response: { 200: ExperimentDetailResponse },
      },
    },
    async (req) => getExperimentDetail(graph, req.projectId, req.params.id),
  );

  r.get(
    '/v1/experiments/:id/candidates',
    {
      schema: {
        operationId: 'listCandidates',
        tags: ['experiments'],
        summary: "The experiment's candidate menu, a page at a time, in the order it was declared",
        description: 'An experiment without a menu has no candidates (`total` 0).',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: pageOf(Configuration) },
      },
    },
    async (req) => {
      const all = (await readCandidates(graph, req.projectId, req.params.id)) ?? [];
      return page(all.slice(req.query.offset, req.query.offset + req.query.limit), all.length, req.query);
    },
  );

  for (const action of ['pause', 'resume', 'finish'] as const) {
    r.post(
      `/v1/experiments/:id/${action}`,
      {
        config: {
          openapi: {
            errors: {
              409: {
                description: 'A finished experiment cannot be paused or resumed',
                message: `cannot ${action} a finished experiment`,
                details: { status: 'finished' },
              },
            },
          },
        },
        schema: {
          operationId: `${action}Experiment`,
          tags: ['experiments'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} an experiment`,
          description: 'Idempotent. A finished experiment cannot be paused or resumed (409).',
          params: IdParams,
          body: z.strictObject({}).nullish(),
          response: { 200: ExperimentResponse },
        },
      },
      async (req) => changeStatus(graph, req.projectId, req.params.id, action),
    );
  }
};
