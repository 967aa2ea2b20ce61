export { profileCsv, profileCsvFile, DEFAULT_SAMPLE_ROWS, DEFAULT_SEED, DEFAULT_RAGGED_TOLERANCE } from './profile.ts';
export { ProfileError } from './errors.ts';
export type { ProfileErrorCode } from './errors.ts';
export {
  DatasetProfileSchema,
  ColumnProfileSchema,
  ProfileOptionsSchema,
  TaskTypeSchema,
  META_FEATURE_VERSION,
} from './schema.ts';
export type { DatasetProfile, ColumnProfile, ProfileOptions, TaskType } from './schema.ts';
export type { CsvInput } from './csv-profile.ts';
export { META_FEATURE_DOCS } from './definitions.ts';
export { MISSING_TOKENS } from './cells.ts';
