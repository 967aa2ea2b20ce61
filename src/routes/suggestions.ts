import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { invalidateTrial } from '../../graph/repositories/trials.ts';
import { settingsChanges, updateSettings } from '../../graph/repositories/settings.ts';
import { trialsOfRequest } from '../../graph/repositories/suggestions.ts';
import { ExperimentResponse } from '../schemas/experiments.ts';
import { inFlight, observeAsk } from '../metrics.ts';
import { IdParams } from '../schemas/common.ts';
import { InvalidateBody, PatchExperimentBody, ReplayResponse, SettingsChangeResponse, SuggestBody, SuggestResponse } from '../schemas/suggestions.ts';
import { TrialResponse } from '../schemas/trials.ts';
import { replayExperiment } from '../services/replay.ts';
import type { SuggestionService } from '../services/suggestions.ts';
import { assertOwnExperiments } from '../services/warm-start-refs.ts';

export const suggestionRoutes: FastifyPluginAsync<{ graph: Graph; suggestions: SuggestionService }> = async (app, { graph, suggestions }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/experiments/:id/suggestions',
    {
      config: {
        openapi: {
          errors: {
            409: {
              description:
                'The experiment is paused or finished, its budget is used up, or its candidate menu has nothing left (every candidate evaluated or pending)',
              message: "the experiment's budget of 50 trials is used up; raise budget.maxTrials or finish it",
              details: { maxTrials: 50 },
            },
            503: 'Neo4j is unavailable, or the ask was not served within PRECEDENT_REQUEST_DEADLINE_SECONDS (nothing was recorded for it); retry after Retry-After',
          },
        },
      },
      schema: {
        operationId: 'askTrials',
        tags: ['suggestions'],
        summary: 'Ask for configurations to evaluate next',
        description:
          'Returns `count` new running trials. Configurations a person queued come first; the rest come from the optimizer, ' +
          'warm-started from similar past experiments per the warm-start settings, each with its provenance. Report results with ' +
          '`POST /v1/trials/{id}/complete`. A paused or finished experiment, a used-up budget, or a candidate menu with nothing left ' +
          '(every candidate evaluated or pending) answers 409.',
        params: IdParams,
        body: SuggestBody,
        response: { 201: SuggestResponse },
      },
    },
    async (req, reply) => {
      const key = req.idempotency?.key ?? null;
      // A retry that took the key over from a process that stopped: what that attempt handed out
      // is this request's answer (its trials are running and nobody else has them).
      if (key && req.idempotency?.tookOver) {
        const earlier = await trialsOfRequest(graph, req.projectId, req.params.id, key);
        if (earlier.length) return reply.code(201).send({ trials: earlier });
      }
      const started = performance.now();
      const { trials, timing, batched } = await inFlight(() =>
        suggestions.suggest(req.projectId, req.params.id, req.body?.count ?? 1, {
          requestKey: key,
          gone: () => req.raw.socket?.destroyed === true,
        }),
      );
      // The request's log line names the strategy and the compute time, so a slow ask seen in the
      // metrics is found in the logs by route, duration and strategy (and then its reqId).
      req.logFields = { ask: observeAsk({ trials, timing, batched, elapsedMs: performance.now() - started }) };
      reply.header('Server-Timing', timing.map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', '));
      return reply.code(201).send({ trials });
    },
  );

  r.patch(
    '/v1/experiments/:id',
    {
      schema: {
        operationId: 'updateExperiment',
        tags: ['experiments'],
        summary: 'Change warm-start, optimizer or budget settings of an experiment',
        description: 'Each change is recorded (GET /v1/experiments/{id}/changes) and applies from the next suggestion on.',
        params: IdParams,
        body: PatchExperimentBody,
        response: { 200: ExperimentResponse },
      },
    },
    async (req) => {
      const { user, ...changes } = req.body;
      await assertOwnExperiments(graph, req.projectId, 'body.warmStart.experiments', changes.warmStart?.experiments);
      // The change moves the experiment's event number: the next ask finds its copy out of date.
      return updateSettings(graph, req.projectId, req.params.id, changes, user ?? null);
    },
  );

  r.get(
    '/v1/experiments/:id/changes',
    {
      schema: {
        operationId: 'listSettingsChanges',
        tags: ['experiments'],
        summary: 'The recorded settings changes of an experiment',
        params: IdParams,
        response: { 200: SettingsChangeResponse },
      },
    },
    async (req) => ({ items: await settingsChanges(graph, req.projectId, req.params.id) }),
  );

  r.post(
    '/v1/trials/:id/invalidate',
    {
      schema: {
        operationId: 'invalidateTrial',
        tags: ['trials'],
        summary: "Mark a trial's result invalid",
        description: 'The trial stays in the history but is excluded from learning (and from the best trial) from now on. Idempotent.',
        params: IdParams,
        body: InvalidateBody,
        response: { 200: TrialResponse },
      },
    },
    async (req) => invalidateTrial(graph, req.projectId, req.params.id, req.body?.reason ?? null),
  );

  r.get(
    '/v1/experiments/:id/replay',
    {
      schema: {
        operationId: 'replayExperiment',
        tags: ['suggestions'],
        summary: 'Recompute the suggestion sequence from the recorded history and report whether it matches',
        params: IdParams,
        response: { 200: ReplayResponse },
      },
    },
    async (req) => replayExperiment(graph, req.projectId, req.params.id),
  );
};
