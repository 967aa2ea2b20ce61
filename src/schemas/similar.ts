import { z } from 'zod';
import { Configuration, Id, MetaFeatures } from '../../graph/model.ts';
import { ExperimentResponse } from './experiments.ts';

export const SimilarQueryBody = z
  .strictObject({
    datasetId: Id.optional(),
    metaFeatures: MetaFeatures.optional(),
    model: z.string().min(1).max(200).optional(),
    metric: z.string().min(1).max(200).optional(),
    /** Parameter names of the search space you plan to use. */
    searchSpace: z.array(z.string().min(1).max(200)).max(200).optional(),
    minOverlap: z.number().min(0).max(1).optional(),
    excludeExperimentIds: z.array(Id).max(500).optional(),
    k: z.number().int().min(1).max(100).default(10),
  })
  .refine((b) => !(b.datasetId && b.metaFeatures), { message: 'give either datasetId or metaFeatures, not both', path: ['metaFeatures'] })
  .refine((b) => b.datasetId || b.metaFeatures || b.model || b.searchSpace, {
    message: 'give a datasetId or metaFeatures (or at least a model or searchSpace) to compare with',
    path: ['datasetId'],
  })
  .meta({ examples: [{ metaFeatures: { number_of_instances: 48842, number_of_features: 14, class_entropy: 0.79 }, model: 'xgboost', k: 5 }] });

export const SimilarForExperimentQuery = z.strictObject({
  k: z.coerce.number().int().min(1).max(100).default(10),
  /** Only experiments tuning the same model (default true). */
  sameModel: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Only experiments optimizing the same metric (default true). */
  sameObjective: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  minOverlap: z.coerce.number().min(0).max(1).optional(),
});

const Feature = z.object({ name: z.string(), query: z.number(), value: z.number() });

export const SimilarExperimentItem = z
  .object({
    experiment: ExperimentResponse,
    similarity: z.number().nullable().describe('meta-feature similarity in [0, 1] (1 − mean range-normalized distance); null without meta-features'),
    reasons: z.object({
      metaFeatures: z.object({ similarity: z.number(), sharedFeatures: z.number().int(), closest: z.array(Feature), farthest: z.array(Feature) }).nullable(),
      sameModel: z.boolean().nullable(),
      sameObjective: z.boolean().nullable(),
      searchSpaceOverlap: z.number().nullable(),
      sharedParameters: z.array(z.string()),
    }),
    bestTrial: z.object({ trialId: Id, number: z.number().int(), value: z.number(), config: Configuration }).nullable(),
    completedTrials: z.number().int(),
  })
  .meta({ id: 'SimilarExperiment' });

export const SimilarResponse = z.object({ items: z.array(SimilarExperimentItem) }).meta({ id: 'SimilarExperiments' });
