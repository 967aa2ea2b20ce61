import { z } from 'zod';
import { Dataset, DatasetInput, TaskType } from '../../graph/model.ts';
import { PageQuery, pageOf } from './common.ts';

export const CreateDatasetBody = DatasetInput.meta({
  examples: [
    {
      name: 'adult',
      version: '1',
      taskType: 'classification',
      instances: 48842,
      features: 14,
      classes: 2,
      metaFeatures: { number_of_instances: 48842, number_of_features: 14, class_entropy: 0.79, missing_values_ratio: 0.009 },
    },
  ],
});
/** The other body of POST /v1/datasets (`Content-Type: text/csv`), profiled while it streams; documentation only. */
export const CsvBody = z.string().meta({
  description:
    'A CSV file with a header row (up to 2 GiB; it is profiled while it streams, never buffered whole). name, version, target and taskType come from the query string.',
});
export const DatasetResponse = Dataset.extend({
  profile: z
    .object({
      rows: z.number().int(),
      bytes: z.number().int(),
      sampled: z.boolean(),
      sampleRows: z.number().int(),
      target: z.string(),
      notes: z.array(z.string()),
    })
    .optional(),
  /** What registering noticed about the meta-features given (e.g. a name one letter off one the profiler computes); only in the answer to a registration. */
  notes: z.array(z.string()).optional(),
}).meta({ id: 'Dataset' });
export const DatasetPage = pageOf(DatasetResponse).meta({ id: 'DatasetPage' });

/** Query string of a CSV upload (the body is the CSV itself). */
export const CsvUploadQuery = z.strictObject({
  name: z.string().trim().min(1).max(200),
  version: z.string().trim().min(1).max(100).default('1'),
  target: z.string().min(1).max(200).optional(),
  taskType: z.enum(['classification', 'regression', 'auto']).default('auto'),
  sampleRows: z.coerce.number().int().min(100).max(1_000_000).optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  description: z.string().max(10_000).optional(),
});

export const ListDatasetsQuery = PageQuery.extend({
  name: z.string().max(200).optional().describe('case-insensitive substring of the dataset name'),
  taskType: TaskType.optional(),
});
