import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Graph } from '../../graph/driver.ts';
import type { Configuration } from '../../graph/model.ts';
import { NotFoundError } from '../../graph/errors.ts';
import { getDataset } from '../../graph/repositories/datasets.ts';
import { datasetMetaFeatures } from '../../graph/repositories/similar.ts';
import { getExperiment } from '../../graph/repositories/experiments.ts';
import { IdParams } from '../schemas/common.ts';
import { SimilarForExperimentQuery, SimilarQueryBody, SimilarResponse } from '../schemas/similar.ts';
import type { MetaFeatureRanges } from '../similarity/meta-feature-ranges.ts';
import { rankSimilarExperiments, type SimilarExperiment } from '../similarity/rank.ts';

const toItem = (s: SimilarExperiment) => ({
  experiment: s.experiment,
  similarity: s.similarity,
  reasons: s.reasons,
  bestTrial: s.best as (typeof s.best & { config: Configuration }) | null,
  completedTrials: s.completedCount,
});

/** `ranges`: the process's meta-feature ranges, shared with the prior choice of the suggestion service. */
export const similarRoutes: FastifyPluginAsync<{ graph: Graph; ranges: MetaFeatureRanges }> = async (app, { graph, ranges }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/similar-experiments',
    {
      config: { openapi: { errors: { 404: 'No dataset with this datasetId in the project' } } },
      schema: {
        operationId: 'findSimilarExperiments',
        tags: ['similarity'],
        summary: 'Past experiments most similar to a dataset or to raw meta-features',
        description:
          'Datasets are retrieved through the Neo4j vector index on meta-features and re-ranked exactly (per-feature range-normalized distance); ' +
          'experiments are filtered by model, objective metric and search-space overlap. Each result says what made it similar.',
        body: SimilarQueryBody,
        response: { 200: SimilarResponse },
      },
    },
    async (req) => {
      const b = req.body;
      let metaFeatures = b.metaFeatures;
      if (b.datasetId) {
        metaFeatures = (await datasetMetaFeatures(graph, req.projectId, [b.datasetId])).get(b.datasetId);
        if (!metaFeatures) throw new NotFoundError('dataset', b.datasetId);
      }
      const items = await rankSimilarExperiments(
        graph,
        req.projectId,
        {
          metaFeatures,
          model: b.model,
          metric: b.metric,
          searchSpace: b.searchSpace,
          minOverlap: b.minOverlap,
          excludeIds: b.excludeExperimentIds,
          k: b.k,
        },
        ranges,
      );
      return { items: items.map(toItem) };
    },
  );

  r.get(
    '/v1/experiments/:id/similar',
    {
      schema: {
        operationId: 'listSimilarExperiments',
        tags: ['similarity'],
        summary: 'Past experiments most similar to this one',
        description: 'Compares this experiment’s dataset meta-features, model, objective and search space with the others in the project.',
        params: IdParams,
        querystring: SimilarForExperimentQuery,
        response: { 200: SimilarResponse },
      },
    },
    async (req) => {
      const e = await getExperiment(graph, req.projectId, req.params.id);
      const dataset = await getDataset(graph, req.projectId, e.datasetId);
      const items = await rankSimilarExperiments(
        graph,
        req.projectId,
        {
          metaFeatures: dataset.metaFeatures,
          model: req.query.sameModel ? e.model.name : undefined,
          metric: req.query.sameObjective ? e.objective.metric : undefined,
          searchSpace: e.searchSpace.map((p) => p.name),
          minOverlap: req.query.minOverlap,
          excludeIds: [e.id],
          k: req.query.k,
        },
        ranges,
      );
      return { items: items.map(toItem) };
    },
  );
};
