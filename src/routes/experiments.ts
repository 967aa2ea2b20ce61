import { randomInt } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { changeStatus, createExperiment, getExperimentDetail, listExperiments } from '../../graph/repositories/experiments.ts';
import { OPTIMIZER_VERSION } from '../../optimizers/version.ts';
import { IdParams, page, pageOf } from '../schemas/common.ts';
import { CreateExperimentBody, ExperimentDetailResponse, ExperimentResponse, ListExperimentsQuery } from '../schemas/experiments.ts';
import { assertValidSpace } from '../services/configs.ts';

export const experimentRoutes: FastifyPluginAsync<{ graph: Graph }> = async (app, { graph }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/experiments',
    {
      schema: {
        tags: ['experiments'],
        summary: 'Start an experiment (one optimization study)',
        description:
          'Links the experiment to its dataset and model. Without a seed one is drawn and recorded, so every suggestion can be replayed.',
        body: CreateExperimentBody,
        response: { 201: ExperimentResponse },
      },
    },
    async (req, reply) => {
      assertValidSpace(req.body.searchSpace);
      const experiment = await createExperiment(graph, req.projectId, {
        ...req.body,
        seed: req.body.seed ?? randomInt(0, 2 ** 31 - 1),
        optimizerVersion: OPTIMIZER_VERSION,
      });
      return reply.code(201).send(experiment);
    },
  );

  r.get(
    '/v1/experiments',
    {
      schema: {
        tags: ['experiments'],
        summary: 'List experiments (filter by dataset, model name, status)',
        querystring: ListExperimentsQuery,
        response: { 200: pageOf(ExperimentResponse) },
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
        tags: ['experiments'],
        summary: 'One experiment with trial counts per state and its best trial',
        params: IdParams,
        response: { 200: ExperimentDetailResponse },
      },
    },
    async (req) => getExperimentDetail(graph, req.projectId, req.params.id),
  );

  for (const action of ['pause', 'resume', 'finish'] as const) {
    r.post(
      `/v1/experiments/:id/${action}`,
      {
        schema: {
          tags: ['experiments'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} an experiment`,
          description: 'Idempotent. A finished experiment cannot be paused or resumed (409).',
          params: IdParams,
          body: z.object({}).nullish(),
          response: { 200: ExperimentResponse },
        },
      },
      async (req) => changeStatus(graph, req.projectId, req.params.id, action),
    );
  }
};
