import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { invalidateTrial, settingsChanges, trialsOfRequest, updateSettings } from '../../graph/repositories/suggestions.ts';
import { ExperimentResponse } from '../schemas/experiments.ts';
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
      schema: {
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
      const { trials, timing } = await suggestions.suggest(req.projectId, req.params.id, req.body?.count ?? 1, {
        requestKey: key,
        gone: () => req.raw.socket?.destroyed === true,
      });
      reply.header('Server-Timing', timing.map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', '));
      return reply.code(201).send({ trials });
    },
  );

  r.patch(
    '/v1/experiments/:id',
    {
      schema: {
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
      const e = await updateSettings(graph, req.projectId, req.params.id, changes, user ?? null);
      suggestions.forget(req.projectId, e.id);
      return e;
    },
  );

  r.get(
    '/v1/experiments/:id/changes',
    {
      schema: { tags: ['experiments'], summary: 'The recorded settings changes of an experiment', params: IdParams, response: { 200: SettingsChangeResponse } },
    },
    async (req) => ({ items: await settingsChanges(graph, req.projectId, req.params.id) }),
  );

  r.post(
    '/v1/trials/:id/invalidate',
    {
      schema: {
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
        tags: ['suggestions'],
        summary: 'Recompute the suggestion sequence from the recorded history and report whether it matches',
        params: IdParams,
        response: { 200: ReplayResponse },
      },
    },
    async (req) => replayExperiment(graph, req.projectId, req.params.id),
  );
};
