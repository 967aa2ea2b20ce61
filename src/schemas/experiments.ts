import { z } from 'zod';
import { Experiment, ExperimentInput, ExperimentStatus } from '../../graph/model.ts';
import { SearchSpaceSchema, SettingsSchema } from '../../optimizers/schema.ts';
import { PageQuery, pageOf } from './common.ts';
import { TrialResponse } from './trials.ts';

export const IfExists = z
  .enum(['create', 'reuse', 'error'])
  .describe(
    'What to do when the project already has an experiment of this name. `create` (default): create another. ' +
      '`reuse`: return the existing one (200) if its dataset, model, objective and search space are the same, else 409 naming the first difference ' +
      "(Optuna's load_if_exists). `error`: 409. With `reuse` or `error` a name is required, and concurrent requests create one experiment.",
  );

export const CreateExperimentBody = ExperimentInput.extend({
  searchSpace: SearchSpaceSchema.min(1).max(200),
  optimizer: SettingsSchema.default({}),
  ifExists: IfExists.default('create'),
}).meta({
  // Swagger UI's "Try it out" starts from this body (its generated sample would fail validation).
  examples: [
    {
      name: 'churn-xgboost',
      datasetId: '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01',
      model: { name: 'xgboost', library: 'xgboost' },
      searchSpace: [
        { name: 'learning_rate', type: 'float', low: 0.001, high: 0.3, log: true },
        { name: 'max_depth', type: 'int', low: 2, high: 12 },
        { name: 'subsample', type: 'float', low: 0.5, high: 1, step: 0.1 },
        { name: 'booster', type: 'categorical', choices: ['gbtree', 'dart'] },
        { name: 'rate_drop', type: 'float', low: 0, high: 0.5, condition: { parent: 'booster', values: ['dart'] } },
        { name: 'n_estimators', type: 'categorical', choices: [100, 300, 1000] },
      ],
      objective: { metric: 'auc', direction: 'maximize' },
      budget: { maxTrials: 50 },
      ifExists: 'reuse',
    },
  ],
});
export const ExperimentResponse = Experiment.meta({ id: 'Experiment' });
export const ExperimentPage = pageOf(ExperimentResponse).meta({ id: 'ExperimentPage' });
export const ExperimentDetailResponse = Experiment.extend({
  counts: z.record(z.string(), z.number().int()),
  bestTrial: TrialResponse.nullable(),
}).meta({ id: 'ExperimentDetail' });

export const ListExperimentsQuery = PageQuery.extend({
  name: z.string().max(200).optional().describe('case-insensitive substring of the experiment name'),
  datasetId: z.uuid().optional().describe('only experiments on this dataset'),
  model: z.string().max(200).optional().describe('only experiments of this model name (exact)'),
  status: ExperimentStatus.optional(),
});
