import { z } from 'zod';
import { Dataset, DatasetInput, TaskType } from '../../graph/model.ts';
import { PageQuery } from './common.ts';

export const CreateDatasetBody = DatasetInput;
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
}).meta({ id: 'Dataset' });

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
