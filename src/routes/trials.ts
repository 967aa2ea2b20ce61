import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { getExperiment } from '../../graph/repositories/experiments.ts';
import { createTrial, failTrial, getTrial, listTrials, reportIntermediate } from '../../graph/repositories/trials.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { trialResult } from '../metrics.ts';
import { IdParams, page } from '../schemas/common.ts';
import { CompleteTrialBody, CreateTrialBody, FailTrialBody, ListTrialsQuery, ReportBody, TrialPage, TrialResponse } from '../schemas/trials.ts';
import { prepareConfig } from '../services/configs.ts';
import type { ResultWriter } from '../services/results.ts';

export const trialRoutes: FastifyPluginAsync<{ graph: Graph; results: ResultWriter }> = async (app, { graph, results }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/experiments/:id/trials',
    {
      config: {
        openapi: {
          errors: {
            409: { description: 'The experiment is finished', message: 'the experiment is finished; it takes no new trials', details: { status: 'finished' } },
          },
        },
      },
      schema: {
        operationId: 'createTrial',
        tags: ['trials'],
        summary: 'Add a trial with a configuration chosen by a person',
        description:
          'With `value` the trial is stored completed; with `failed` it is stored failed; with `queue` it waits for the next worker ' +
          'that asks for suggestions; otherwise it is running and the person reports its result later. A configuration outside the ' +
          "experiment's search space is rejected with the parameter and the reason.",
        params: IdParams,
        body: CreateTrialBody,
        response: { 201: TrialResponse },
      },
    },
    async (req, reply) => {
      const experiment = await getExperiment(graph, req.projectId, req.params.id);
      const { config, hash } = prepareConfig(experiment.searchSpace as SearchSpace, req.body.config);
      const b = req.body;
      const state = b.value !== undefined ? 'completed' : b.failed ? 'failed' : b.queue ? 'queued' : 'running';
      const trial = await createTrial(graph, req.projectId, experiment.id, {
        config,
        configHash: hash,
        state,
        value: b.value ?? null,
        metrics: b.metrics,
        proposedBy: 'person',
        strategy: 'manual',
        reason: b.reason ?? null,
        user: b.user ?? null,
        failReason: b.failReason ?? null,
      });
      return reply.code(201).send(trial);
    },
  );

  r.get(
    '/v1/experiments/:id/trials',
    {
      schema: {
        operationId: 'listTrials',
        tags: ['trials'],
        summary: 'List trials in number order',
        params: IdParams,
        querystring: ListTrialsQuery,
        response: { 200: TrialPage },
      },
    },
    async (req) => {
      const { items, total } = await listTrials(graph, req.projectId, req.params.id, req.query);
      return page(items, total, req.query);
    },
  );

  r.get(
    '/v1/trials/:id',
    {
      schema: {
        operationId: 'getTrial',
        tags: ['trials'],
        summary: 'One trial with its configuration, result and provenance',
        params: IdParams,
        response: { 200: TrialResponse },
      },
    },
    async (req) => getTrial(graph, req.projectId, req.params.id),
  );

  r.post(
    '/v1/trials/:id/report',
    {
      config: {
        openapi: {
          errors: {
            409: {
              description: 'Another value for a step already reported, or the trial is no longer running',
              message: 'trial #3 already has value 0.85 at step 10',
              details: { step: 10, value: 0.85 },
            },
          },
        },
      },
      schema: {
        operationId: 'reportIntermediate',
        tags: ['trials'],
        summary: 'Report an intermediate value (learning curve point) at a step',
        description: 'Repeating a step with the same value is a no-op; another value for a reported step is 409.',
        params: IdParams,
        body: ReportBody,
        response: { 200: TrialResponse },
      },
    },
    async (req) => reportIntermediate(graph, req.projectId, req.params.id, req.body.step, req.body.value),
  );

  r.post(
    '/v1/trials/:id/complete',
    {
      config: {
        openapi: {
          errors: {
            409: {
              description: 'The trial is completed with another value, or it failed',
              message: 'trial #3 is already completed with value 0.907',
              details: { state: 'completed', value: 0.907 },
            },
          },
        },
      },
      schema: {
        operationId: 'completeTrial',
        tags: ['trials'],
        summary: 'Complete a trial with its objective value',
        description:
          'Idempotent: the same result twice returns the same trial. A different result, or completing a failed trial, is 409. A late result for a stale trial is accepted.',
        params: IdParams,
        body: CompleteTrialBody,
        response: { 200: TrialResponse },
      },
    },
    async (req) => {
      const { trial } = await results.complete(req.projectId, req.params.id, req.body);
      trialResult('completed');
      return trial;
    },
  );

  r.post(
    '/v1/trials/:id/fail',
    {
      config: {
        openapi: {
          errors: {
            409: { description: 'The trial is completed', message: 'trial #3 is completed; it cannot be marked failed', details: { state: 'completed' } },
          },
        },
      },
      schema: {
        operationId: 'failTrial',
        tags: ['trials'],
        summary: 'Mark a trial failed',
        description: 'Idempotent. Failing a completed trial is 409.',
        params: IdParams,
        body: FailTrialBody,
        response: { 200: TrialResponse },
      },
    },
    async (req) => {
      const { trial } = await failTrial(graph, req.projectId, req.params.id, req.body?.reason ?? null);
      trialResult('failed');
      return trial;
    },
  );
};
