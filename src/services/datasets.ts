import type { Graph } from '../../graph/driver.ts';
import type { Dataset } from '../../graph/model.ts';
import { createDataset } from '../../graph/repositories/datasets.ts';
import type { Readable } from 'node:stream';
import type { DatasetProfile, ProfileOptions } from '../metafeatures/index.ts';
import { profileCsvOffThread } from '../metafeatures/off-thread.ts';
import { metaFeatureEmbedding } from '../similarity/embedding.ts';

export interface CsvDatasetInput {
  name: string;
  version: string;
  description?: string;
  profile: ProfileOptions;
}

export interface CsvDatasetResult {
  dataset: Dataset;
  created: boolean;
  profile: Pick<DatasetProfile, 'rows' | 'bytes' | 'sampled' | 'sampleRows' | 'target' | 'notes'>;
}

/**
 * Profiles a CSV while it streams, in a worker thread (see off-thread.ts), and registers the dataset
 * with its meta-features and fingerprint.
 */
export async function registerCsvDataset(graph: Graph, projectId: string, csv: Readable, input: CsvDatasetInput): Promise<CsvDatasetResult> {
  const profile = await profileCsvOffThread(csv, input.profile);
  const classes = profile.metaFeatures.number_of_classes;
  const { dataset, created } = await createDataset(graph, projectId, {
    name: input.name,
    version: input.version,
    fingerprint: profile.fingerprint,
    taskType: profile.taskType,
    instances: profile.rows,
    features: profile.columns.length - 1,
    classes: classes === undefined ? undefined : Math.round(classes),
    description: input.description,
    metaFeatures: profile.metaFeatures,
    embedding: metaFeatureEmbedding(profile.metaFeatures),
  });
  const { rows, bytes, sampled, sampleRows, target, notes } = profile;
  return { dataset, created, profile: { rows, bytes, sampled, sampleRows, target, notes } };
}
