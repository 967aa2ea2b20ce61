import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { SHARED_PROJECT } from '../../graph/repositories/projects.ts';
import { IdParams } from '../schemas/common.ts';
import { shareExperiment } from '../services/sharing.ts';

const ShareResponse = z
  .object({
    /** The id of the shared copy (in the project `shared`). */
    experimentId: z.uuid(),
    project: z.literal(SHARED_PROJECT),
    status: z.enum(['created', 'exists']),
  })
  .meta({ id: 'SharedCopy' });

export const sharingRoutes: FastifyPluginAsync<{ graph: Graph }> = async (app, { graph }) => {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/experiments/:id/share',
    {
      config: {
        openapi: {
          errors: { 409: { description: 'The experiment is already in the shared project', message: 'this experiment is already in the shared project' } },
          responses: { 200: 'Shared before: the existing copy', 201: 'Shared now: the new copy' },
        },
      },
      schema: {
        operationId: 'shareExperiment',
        tags: ['similarity'],
        summary: 'Share an experiment with every project (a snapshot copy into the project "shared")',
        description:
          "Similarity search and warm start of every project see experiments of the caller's own project plus those in the " +
          'project "shared". The copy is a snapshot of the experiment now (dataset, meta-features, search space, trials); ' +
          'sharing the same experiment again returns the existing copy (200). Nothing else of your project becomes visible.',
        params: IdParams,
        body: z.strictObject({}).nullish(),
        response: { 200: ShareResponse, 201: ShareResponse },
      },
    },
    async (req, reply) => {
      const r = await shareExperiment(graph, req.projectId, req.params.id);
      return reply.code(r.status === 'created' ? 201 : 200).send({ ...r, project: SHARED_PROJECT });
    },
  );
};
