import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import type { Dataset, DatasetInput } from '../../graph/model.ts';
import { createDataset } from '../../graph/repositories/datasets.ts';
import type { Readable } from 'node:stream';
import type { DatasetProfile, ProfileOptions } from '../metafeatures/index.ts';
import { misspeltName } from '../http/validation.ts';
import { META_FEATURE_DOCS } from '../metafeatures/definitions.ts';
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

/**
 * Registers a dataset with the meta-features given, or finds it under its name and version. Registering
 * again does not change a dataset: other meta-features are a conflict (dropped without a word they
 * would leave a corrected misspelling unused, and similarity on the old ones), while none given is a
 * look-up, as no fingerprint is. Imports keep first-come datasets (createDataset alone). `notes`: the
 * names that look like misspelt profiler meta-features.
 */
export async function registerDataset(graph: Graph, projectId: string, input: DatasetInput): Promise<{ dataset: Dataset; created: boolean; notes: string[] }> {
  const { dataset, created } = await createDataset(graph, projectId, { ...input, embedding: metaFeatureEmbedding(input.metaFeatures) });
  const changed = created || Object.keys(input.metaFeatures).length === 0 ? [] : changedMetaFeatures(input.metaFeatures, dataset.metaFeatures);
  if (changed.length > 0) {
    throw new ConflictError(
      `dataset "${dataset.name}" version "${dataset.version}" is registered with other meta-features (${changed.slice(0, 5).join('; ')}${changed.length > 5 ? '; …' : ''}); registering again does not change them: give these a new version`,
      { datasetId: dataset.id, metaFeatures: dataset.metaFeatures },
    );
  }
  return { dataset, created, notes: misspeltMetaFeatures(Object.keys(input.metaFeatures)) };
}

/** The meta-features whose given and registered values differ, as `name: given x, registered y` (— where one has none). */
function changedMetaFeatures(given: Record<string, number>, registered: Record<string, number>): string[] {
  const show = (v: number | undefined) => (v === undefined ? '—' : String(v));
  return [...new Set([...Object.keys(given), ...Object.keys(registered)])]
    .sort()
    .filter((n) => given[n] !== registered[n])
    .map((n) => `${n}: given ${show(given[n])}, registered ${show(registered[n])}`);
}

const PROFILED = Object.keys(META_FEATURE_DOCS);

/**
 * Names that look like a misspelt meta-feature of the profiler's (one or two letters off): similarity
 * compares meta-features by name, so `number_of_instance` is never compared with a profiled dataset's
 * `number_of_instances`. Names of one's own (another tool's, a suite's) draw nothing.
 */
function misspeltMetaFeatures(names: string[]): string[] {
  const given = new Set(names);
  return names.flatMap((name) => {
    if (META_FEATURE_DOCS[name] !== undefined) return [];
    const near = misspeltName(name, PROFILED);
    return near && !given.has(near)
      ? [
          `meta-feature '${name}' is not one the profiler computes; did you mean '${near}'? Similarity compares meta-features by name, so datasets profiled from a CSV have no '${name}'`,
        ]
      : [];
  });
}
