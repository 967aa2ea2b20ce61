import { z } from 'zod';
import { Experiment, ExperimentInput, ExperimentStatus, Trial } from '../../graph/model.ts';
import { SearchSpaceSchema, SettingsSchema } from '../../optimizers/schema.ts';
import { PageQuery } from './common.ts';

export const CreateExperimentBody = ExperimentInput.extend({ searchSpace: SearchSpaceSchema.min(1).max(200), optimizer: SettingsSchema.default({}) });
export const ExperimentResponse = Experiment.meta({ id: 'Experiment' });
export const ExperimentDetailResponse = Experiment.extend({
  counts: z.record(z.string(), z.number().int()),
  bestTrial: Trial.nullable(),
}).meta({ id: 'ExperimentDetail' });

export const ListExperimentsQuery = PageQuery.extend({
  datasetId: z.uuid().optional(),
  model: z.string().max(200).optional(),
  status: ExperimentStatus.optional(),
});
