import { z } from 'zod';

/** Bumped whenever a meta-feature's definition changes, so stored profiles from different versions are never compared as if alike. */
export const META_FEATURE_VERSION = 1 as const;

export const TaskTypeSchema = z.enum(['classification', 'regression']);
export type TaskType = z.infer<typeof TaskTypeSchema>;

export const ProfileOptionsSchema = z
  .object({
    /** Target column name; defaults to the last column. */
    target: z.string().min(1).optional(),
    /** 'auto': classification when the target is non-numeric or has ≤ 20 distinct integer values. */
    taskType: z.enum(['classification', 'regression', 'auto']).optional(),
    /** Reservoir size for the row-based statistics (PCA, landmarkers). Default 100,000. */
    sampleRows: z.number().int().min(1).max(10_000_000).optional(),
    /** Seed for every random choice (reservoir, shuffles, CV folds). Default 1. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    /** Field delimiter; default ','. */
    delimiter: z
      .string()
      .min(1)
      .max(8)
      .refine((d) => !/["\r\n]/.test(d), 'delimiter must not contain a quote or a line break')
      .optional(),
    /** Reject input larger than this many bytes (checked while streaming). */
    maxBytes: z.number().int().positive().optional(),
    /** Largest tolerated fraction of data records whose field count differs from the header's (they are skipped). Default 0.01. */
    raggedTolerance: z.number().min(0).max(1).optional(),
  })
  .strict();
export type ProfileOptions = z.infer<typeof ProfileOptionsSchema>;

export const ColumnProfileSchema = z.object({
  name: z.string(),
  /** 'numeric' when every non-missing cell is a finite decimal number (an all-missing column counts as numeric, like pandas' float NaN column). */
  kind: z.enum(['numeric', 'categorical']),
  /** Missing cells, exact over the whole file. */
  missing: z.number().int().nonnegative(),
  /** Distinct non-missing (trimmed) values: exact when `distinctExact`, otherwise a KMV sketch estimate (≈3% standard error) beyond 1,024 distinct values. */
  distinct: z.number().int().nonnegative(),
  distinctExact: z.boolean(),
  /** Numeric columns with at least one value; exact over the whole file (std: population). */
  min: z.number().optional(),
  max: z.number().optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;

export const ClassCountSchema = z.object({
  label: z.string(),
  count: z.number().int().positive(),
});

export const DatasetProfileSchema = z.object({
  /** 'sha256:' + hex digest of the exact input bytes. */
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  /** Data rows counted (excluding the header and skipped ragged rows). */
  rows: z.number().int().nonnegative(),
  /** True when the row-based statistics saw a sample rather than every row. */
  sampled: z.boolean(),
  /** Rows in the reservoir sample actually used. */
  sampleRows: z.number().int().nonnegative(),
  seed: z.number().int(),
  columns: z.array(ColumnProfileSchema),
  target: z.string(),
  taskType: TaskTypeSchema,
  /** Exact class counts over the whole file (classification only), by count desc then label. */
  classes: z.array(ClassCountSchema).optional(),
  /** Finite numbers only (zod 4's z.number() rejects NaN and ±Infinity). */
  metaFeatures: z.record(z.string().regex(/^[a-z0-9_]+$/), z.number()),
  notes: z.array(z.string()),
  metaFeatureVersion: z.literal(META_FEATURE_VERSION),
});
export type DatasetProfile = z.infer<typeof DatasetProfileSchema>;
