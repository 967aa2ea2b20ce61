/**
 * The stored shape of the knowledge graph, as zod schemas. Repositories parse what they read
 * back through these, and the HTTP layer builds its request/response schemas from them, so a
 * field is declared once. The search space and configurations are opaque JSON here: the graph
 * stores them; understanding them is the optimizer's job.
 */
import { z } from 'zod';

export const Id = z.uuid();
export const Name = z.string().trim().min(1).max(200);

export const TaskType = z.enum(['classification', 'regression', 'other']);
export const Direction = z.enum(['minimize', 'maximize']);
export const ExperimentStatus = z.enum(['running', 'paused', 'finished']);
export type ExperimentStatus = z.infer<typeof ExperimentStatus>;
export const TrialState = z.enum(['queued', 'running', 'completed', 'failed', 'pruned', 'stale']);
export type TrialState = z.infer<typeof TrialState>;
export const ProposedBy = z.enum(['optimizer', 'person', 'import']);

export const FiniteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
/**
 * A name that becomes a key (of meta-features, metrics) or a caption: printable and not one of the
 * names JavaScript objects treat specially.
 */
export const KeyName = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((n) => !/\p{Cc}/u.test(n), { message: 'must not contain control characters' })
    .refine((n) => !['__proto__', 'constructor', 'prototype'].includes(n), { message: 'must not be __proto__, constructor or prototype' });

/** At most this many entries in a map of numbers a caller sends (meta-features, a trial's metrics). */
export const MAX_NUMBER_MAP_ENTRIES = 1_000;

/** A map of names to finite numbers, bounded in entries. */
export const NumberMap = (keyLength: number) =>
  z
    .record(KeyName(keyLength), FiniteNumber)
    .refine((m) => Object.keys(m).length <= MAX_NUMBER_MAP_ENTRIES, { message: `at most ${MAX_NUMBER_MAP_ENTRIES} entries` });

export const MetaFeatures = NumberMap(100);
/** A parameter's value: typed as the search space declares it (categorical choices may be any JSON scalar). */
export const ConfigValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const Configuration = z.record(z.string().min(1), ConfigValue);
export type Configuration = z.infer<typeof Configuration>;

/** A search-space parameter as the graph keeps it: name and type are graph structure, the rest rides along. */
export const StoredParam = z.looseObject({ name: z.string().min(1), type: z.string().min(1) });

export const Project = z.object({ id: Id, name: z.string(), createdAt: z.string() });
export type Project = z.infer<typeof Project>;

// Inputs are strict: an unknown key is a typo or a setting from another tool, and dropping it silently
// would change what the caller meant. Outputs are built from the inputs' shapes and stay open.
export const DatasetInput = z.strictObject({
  name: Name,
  version: z.string().trim().min(1).max(100).default('1'),
  fingerprint: z.string().max(200).optional(),
  taskType: TaskType.default('other'),
  instances: z.number().int().nonnegative().optional(),
  features: z.number().int().nonnegative().optional(),
  classes: z.number().int().nonnegative().optional(),
  description: z.string().max(10_000).optional(),
  metaFeatures: MetaFeatures.default({}),
});
export type DatasetInput = z.infer<typeof DatasetInput>;

export const Dataset = z.object({
  ...DatasetInput.shape,
  id: Id,
  projectId: Id,
  fingerprint: z.string().nullable(),
  instances: z.number().nullable(),
  features: z.number().nullable(),
  classes: z.number().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  experimentCount: z.number().int().optional(),
});
export type Dataset = z.infer<typeof Dataset>;

export const ModelInput = z.strictObject({
  name: Name,
  library: z.string().trim().max(100).default(''),
  family: z.string().trim().max(100).default(''),
});
export type ModelInput = z.infer<typeof ModelInput>;
export const Model = z.object({ ...ModelInput.shape, id: Id });
export type Model = z.infer<typeof Model>;

export const Objective = z.strictObject({ metric: KeyName(200), direction: Direction });

/** Free-form JSON a caller may send (an imported trial's provenance): bounded in depth and size. */
export const MAX_JSON_DEPTH = 32;
export const MAX_FREE_JSON_BYTES = 256 * 1024;

/** Nesting depth of a JSON value, counted without recursion (a deep value must not overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export const FreeJson = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const depth = jsonDepth(v, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
  else if (JSON.stringify(v).length > MAX_FREE_JSON_BYTES) ctx.addIssue({ code: 'custom', message: `larger than ${MAX_FREE_JSON_BYTES / 1024} KiB as JSON` });
});

const warmStartFields = {
  mode: z.enum(['auto', 'explicit', 'off']),
  experiments: z.array(Id).max(500),
  exclude: z.array(Id).max(500),
  maxPriors: z.number().int().min(1).max(200),
};
// Strict: a misspelt setting must be an error, not a silently dropped key that resets the setting.
export const WarmStart = z.strictObject({
  mode: warmStartFields.mode.default('auto'),
  experiments: warmStartFields.experiments.default([]),
  exclude: warmStartFields.exclude.default([]),
  maxPriors: warmStartFields.maxPriors.default(20),
});
export type WarmStart = z.infer<typeof WarmStart>;
/** A change of some warm-start fields: the ones not given keep their stored values (no defaults here). */
export const WarmStartPatch = z.strictObject(warmStartFields).partial();

export const Budget = z.strictObject({ maxTrials: z.number().int().min(1).max(1_000_000).optional() });

/** Largest candidate menu an experiment may declare (the menu is stored as one JSON property). */
export const MAX_CANDIDATES = 20_000;

export const ExperimentInput = z.strictObject({
  name: Name.optional(),
  datasetId: Id,
  model: ModelInput,
  searchSpace: z.array(StoredParam).min(1).max(200),
  objective: Objective,
  budget: Budget.default({}),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  optimizer: z.record(z.string(), z.unknown()).default({}),
  warmStart: WarmStart.default({ mode: 'auto', experiments: [], exclude: [], maxPriors: 20 }),
  tags: z.array(z.string().max(100)).max(50).default([]),
  /**
   * A finite menu: the optimizer suggests only these configurations (each at most once). For grids and
   * tables of pre-computed results. Trials a person adds or queues may still be off the menu.
   */
  candidates: z.array(Configuration).min(1).max(MAX_CANDIDATES).optional(),
});
export type ExperimentInput = z.infer<typeof ExperimentInput>;

export const Experiment = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  status: ExperimentStatus,
  datasetId: Id,
  datasetName: z.string(),
  model: Model,
  searchSpace: z.array(StoredParam),
  objective: z.object(Objective.shape),
  budget: Budget,
  seed: z.number().int(),
  optimizer: z.record(z.string(), z.unknown()),
  optimizerVersion: z.string().nullable(),
  warmStart: WarmStart,
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  trialCount: z.number().int(),
  /** Size of the candidate menu; 0 when the optimizer searches the whole space. */
  candidateCount: z.number().int(),
});
export type Experiment = z.infer<typeof Experiment>;

export const IntermediateValue = z.object({ step: z.number().int().nonnegative(), value: FiniteNumber });

export const Trial = z.object({
  id: Id,
  experimentId: Id,
  number: z.number().int().nonnegative(),
  state: TrialState,
  config: Configuration,
  configHash: z.string(),
  value: z.number().nullable(),
  metrics: z.record(z.string(), z.number()),
  intermediate: z.array(IntermediateValue),
  proposedBy: ProposedBy,
  strategy: z.string().nullable(),
  reason: z.string().nullable(),
  user: z.string().nullable(),
  provenance: z.record(z.string(), z.unknown()).nullable(),
  failReason: z.string().nullable(),
  invalid: z.boolean(),
  invalidReason: z.string().nullable().default(null),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
});
export type Trial = z.infer<typeof Trial>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
