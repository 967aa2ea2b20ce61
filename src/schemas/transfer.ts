import { z } from 'zod';
import {
  Configuration,
  DatasetInput,
  ExperimentInput,
  ExperimentStatus,
  FiniteNumber,
  FreeJson,
  IntermediateValue,
  NumberMap,
  ProposedBy,
  TrialState,
} from '../../graph/model.ts';
import { SearchSpaceSchema, SettingsSchema } from '../../optimizers/schema.ts';
import { SettingsChangeRecord } from './suggestions.ts';

export const EXPORT_FORMAT = 'precedent.experiment/1';
/** A dataset no experiment uses yet: whole-project exports carry it on a line of its own. */
export const DATASET_FORMAT = 'precedent.dataset/1';

const Timestamp = z.iso.datetime({ offset: true });

export const ExportedTrial = z.strictObject({
  number: z.number().int().min(0),
  state: TrialState,
  config: Configuration,
  value: FiniteNumber.nullable().default(null),
  metrics: NumberMap(200).default({}),
  intermediate: z.array(IntermediateValue).default([]),
  proposedBy: ProposedBy.default('import'),
  strategy: z.string().nullable().default(null),
  reason: z.string().nullable().default(null),
  user: z.string().nullable().default(null),
  failReason: z.string().nullable().default(null),
  invalid: z.boolean().default(false),
  invalidReason: z.string().nullable().default(null),
  provenance: FreeJson.nullable().default(null),
  durationSeconds: z.number().nonnegative().nullable().default(null),
  createdAt: Timestamp.nullable().default(null),
  startedAt: Timestamp.nullable().default(null),
  completedAt: Timestamp.nullable().default(null),
});

/**
 * One line of the JSON Lines format: an experiment with everything needed to recreate it in
 * another graph — its dataset (matched by name and version), model, search space, trials and the
 * record of its settings changes (who trusted which history when).
 */
export const ExperimentLine = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT),
    dataset: DatasetInput,
    experiment: ExperimentInput.omit({ datasetId: true }).extend({
      id: z.uuid().optional(),
      name: z.string().min(1).max(200),
      searchSpace: SearchSpaceSchema.min(1).max(200),
      optimizer: SettingsSchema.default({}),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
      status: ExperimentStatus.default('finished'),
      optimizerVersion: z.string().nullable().default(null),
      createdAt: Timestamp.nullable().default(null),
      finishedAt: Timestamp.nullable().default(null),
    }),
    trials: z.array(ExportedTrial).max(1_000_000),
    settingsChanges: z.array(SettingsChangeRecord).max(100_000).default([]),
  })
  .superRefine((line, ctx) => {
    const seen = new Set<number>();
    line.trials.forEach((t, i) => {
      if (seen.has(t.number)) ctx.addIssue({ code: 'custom', path: ['trials', i, 'number'], message: `duplicate trial number ${t.number}` });
      seen.add(t.number);
      if (t.state === 'completed' && t.value === null)
        ctx.addIssue({ code: 'custom', path: ['trials', i, 'value'], message: 'a completed trial needs a value' });
    });
  });
export type ExperimentLine = z.infer<typeof ExperimentLine>;

export const DatasetLine = z.strictObject({ format: z.literal(DATASET_FORMAT), dataset: DatasetInput });

export const ImportResult = z
  .object({
    experiments: z.array(
      z.object({ line: z.number().int(), experimentId: z.uuid(), datasetId: z.uuid(), trials: z.number().int(), status: z.enum(['created', 'exists']) }),
    ),
    /** Lines holding only a dataset (whole-project exports). */
    datasets: z.array(z.object({ line: z.number().int(), datasetId: z.uuid(), status: z.enum(['created', 'exists']) })).default([]),
    trials: z.number().int(),
    seconds: z.number(),
  })
  .meta({ id: 'ImportResult' });

/** One ExperimentLine as an example of an import body (and of an export). */
const EXAMPLE_LINE = {
  format: EXPORT_FORMAT,
  dataset: { name: 'adult', version: '1', taskType: 'classification', metaFeatures: { number_of_instances: 48842, number_of_features: 14 } },
  experiment: {
    id: '0b6f3c52-8a41-4d7e-9f2a-6c1d5e8b7a90',
    name: 'adult-xgboost-2024',
    model: { name: 'xgboost' },
    seed: 7,
    objective: { metric: 'auc', direction: 'maximize' },
    searchSpace: [
      { name: 'learning_rate', type: 'float', low: 0.001, high: 0.3, log: true },
      { name: 'max_depth', type: 'int', low: 2, high: 12 },
    ],
  },
  trials: [
    { number: 0, state: 'completed', config: { learning_rate: 0.05, max_depth: 6 }, value: 0.912 },
    { number: 1, state: 'completed', config: { learning_rate: 0.2, max_depth: 3 }, value: 0.897 },
  ],
};

/** The body of POST /v1/import (`Content-Type: application/x-ndjson`), parsed line by line by the route; documentation only. */
export const NdjsonBody = z.string().meta({
  description:
    'JSON Lines: one ExperimentLine (format "precedent.experiment/1") or DatasetLine ("precedent.dataset/1") per line, as GET /v1/experiments/{id}/export writes them. See docs/operations.md, "Import and export".',
  examples: [`${JSON.stringify(EXAMPLE_LINE)}\n`],
});
