import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import { listDashboardExperiments } from '../../graph/repositories/dashboard.ts';
import { IdParams, page } from '../schemas/common.ts';
import { DashboardListQuery, DashboardListResponse, ExperimentDashboardResponse, TrialWhyResponse } from '../schemas/dashboard.ts';
import { experimentDashboard, trialWhy } from '../services/dashboard.ts';

/**
 * Read-only routes of the web dashboard (ui/, served at /ui/): what its pages show, each in one request.
 * Under /v1, so they take the same API key as the rest of the API and see one project.
 */
export const dashboardRoutes: FastifyPluginAsync<{ graph: Graph }> = async (app, { graph }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/dashboard/experiments',
    {
      schema: {
        operationId: 'listDashboardExperiments',
        tags: ['experiments'],
        summary: 'Experiments with progress, best value and what warm start did (filter and sort)',
        description:
          'One row per experiment of the project: its dataset, model, status, trial counts, best value and the number of prior ' +
          'experiments it learned from. `facets` lists the models and datasets to filter by.',
        querystring: DashboardListQuery,
        response: { 200: DashboardListResponse },
      },
    },
    async (req) => {
      const { items, total, models, datasets } = await listDashboardExperiments(graph, req.projectId, req.query);
      return { ...page(items, total, req.query), facets: { models, datasets } };
    },
  );

  r.get(
    '/v1/experiments/:id/dashboard',
    {
      schema: {
        operationId: 'getExperimentDashboard',
        tags: ['experiments'],
        summary: 'Everything the experiment page draws: trials, parameter importance and the warm-start comparison',
        description:
          'Every trial (without provenance), parameter importance by PED-ANOVA (Watanabe et al. 2023) on the valid completed trials, ' +
          'and the best-so-far curve beside those of the priors it learned from and the median curve of the project’s cold experiments ' +
          'of the same model and metric, each normalised to its own range.',
        params: IdParams,
        response: { 200: ExperimentDashboardResponse },
      },
    },
    async (req) => experimentDashboard(graph, req.projectId, req.params.id),
  );

  r.get(
    '/v1/trials/:id/why',
    {
      schema: {
        operationId: 'explainTrial',
        tags: ['trials'],
        summary: 'Why this configuration: a trial with the experiments and trials its provenance names',
        description:
          'The trial with its provenance, the prior experiments it names (with the WARM_STARTED_FROM similarity of each), the source ' +
          'trials of warm-start and portfolio picks, and a Cypher query that shows the same subgraph in Neo4j Browser.',
        params: IdParams,
        response: { 200: TrialWhyResponse },
      },
    },
    async (req) => trialWhy(graph, req.projectId, req.params.id),
  );
};
