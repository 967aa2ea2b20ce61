// Boundary types of the optimizer. Everything that crosses into `suggest()` from the service is described
// here as a zod schema so the service can validate untrusted input with the same definitions the optimizer
// compiles against; internal types live next to the code that uses them.
import { z } from 'zod';

/**
 * A categorical choice: any JSON scalar, as Optuna's CategoricalDistribution takes. Values keep their
 * type end to end, so `16` and `"16"` are different choices.
 */
export const ChoiceSchema = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]);

/** Names JavaScript objects treat specially: a parameter named so could not be a key of a configuration. */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'];

/**
 * A name that becomes a key of configurations (and a property of Config nodes in the graph): printable,
 * at most 200 characters, and not one of RESERVED_NAMES.
 */
export const ParamNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((n) => !/\p{Cc}/u.test(n), { message: 'must not contain control characters' })
  .refine((n) => !RESERVED_NAMES.includes(n), { message: `must not be one of ${RESERVED_NAMES.join(', ')}` });

export const ConditionSchema = z.strictObject({
  parent: ParamNameSchema,
  values: z.array(ChoiceSchema).min(1),
});

const ParamName = ParamNameSchema;

/** Integers beyond this are not exact as JavaScript (and JSON) numbers. */
const SafeInt = z
  .number()
  .int()
  .min(-Number.MAX_SAFE_INTEGER, 'must be at least -(2^53 - 1): larger integers are not exact')
  .max(Number.MAX_SAFE_INTEGER, 'must be at most 2^53 - 1: larger integers are not exact');

/**
 * `step` is Optuna's: the values are the grid low + k·step (k = 0, 1, …), and `high` must be on it.
 * A log scale and a step exclude each other, as in Optuna (an int's log scale implies step 1).
 */
const FloatParamSchema = z.strictObject({
  name: ParamName,
  type: z.literal('float'),
  low: z.number().finite(),
  high: z.number().finite(),
  log: z.boolean().default(false),
  step: z.number().finite().positive().optional(),
  condition: ConditionSchema.optional(),
});

const IntParamSchema = z.strictObject({
  name: ParamName,
  type: z.literal('int'),
  low: SafeInt,
  high: SafeInt,
  log: z.boolean().default(false),
  step: SafeInt.min(1).optional(),
  condition: ConditionSchema.optional(),
});

/**
 * A ceiling on choices checked before they are parsed one by one (a million would take the event loop
 * for a second); the configurable limit, lower, is checked with the space (see SpaceLimits).
 */
export const MAX_CHOICES_CEILING = 100_000;

const CategoricalParamSchema = z.strictObject({
  name: ParamName,
  type: z.literal('categorical'),
  choices: z.array(ChoiceSchema).min(1).max(MAX_CHOICES_CEILING),
  condition: ConditionSchema.optional(),
});

export const PARAM_TYPES = ['float', 'int', 'categorical'] as const;
export const ParamSchema = z.discriminatedUnion('type', [FloatParamSchema, IntParamSchema, CategoricalParamSchema]);
/** Ordered; a condition's parent must be an earlier categorical parameter (checked by `checkSpace`). */
export const SearchSpaceSchema = z.array(ParamSchema);

export const ConfigValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** Inactive conditional parameters are `null` (and so is an active categorical whose choice is `null`). */
export const ConfigSchema = z.record(z.string(), ConfigValueSchema);

export const TrialStateSchema = z.enum(['completed', 'failed', 'pending']);
export const DirectionSchema = z.enum(['minimize', 'maximize']);

/** Any JS number: a diverged run may report ±Infinity or NaN in-process; the optimizer treats
 * non-finite values of completed trials as failures rather than rejecting the whole request. */
const ObjectiveValueSchema = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

export const ObservationSchema = z.object({
  id: z.string().optional(),
  config: ConfigSchema,
  value: ObjectiveValueSchema.nullable(),
  state: TrialStateSchema,
});

export const MetaFeaturesSchema = z.record(z.string(), z.number()).nullable();

export const PriorExperimentSchema = z.object({
  id: z.string().min(1),
  direction: DirectionSchema,
  space: SearchSpaceSchema,
  metaFeatures: MetaFeaturesSchema.optional(),
  observations: z.array(ObservationSchema),
});

export const StrategySchema = z.enum(['auto', 'random', 'sobol', 'lhs', 'gp', 'warm-init', 'transfer']);
export const AcquisitionNameSchema = z.enum(['logei', 'ucb']);
export const BatchModeSchema = z.enum(['kriging-believer', 'constant-liar-min', 'constant-liar-mean', 'constant-liar-max']);
export const OutputTransformSchema = z.enum(['auto', 'standardize', 'power', 'copula']);

/** Strict: a misspelt setting must be an error, not a silently dropped key that resets the setting. */
export const SettingsSchema = z.strictObject({
  /** 'auto': warm-init/design until `nInitial` trials exist, then transfer-BO (with priors) or GP-BO. */
  strategy: StrategySchema.optional(),
  /** Trials (any state) before the model takes over. Default clamp(2·#params, 5, 10). */
  nInitial: z.number().int().min(0).optional(),
  acquisition: AcquisitionNameSchema.optional(),
  /** UCB exploration weight on the standard deviation (mean − sqrt(beta)·sd, minimisation). Default 4. */
  ucbBeta: z.number().positive().optional(),
  batch: BatchModeSchema.optional(),
  outputTransform: OutputTransformSchema.optional(),
  /** L-BFGS restarts for the target GP's hyperparameters (default 3, 1 when warm-started from the cache). */
  fitRestarts: z.number().int().min(1).optional(),
  /** Quasi-random points scored before local search of the acquisition (default 256). */
  acqRawSamples: z.number().int().min(1).optional(),
  /** Best raw points refined by local search (default 3). */
  acqLocalStarts: z.number().int().min(0).optional(),
  /** RGPE bootstrap samples (default 128). */
  rgpeSamples: z.number().int().min(1).optional(),
  /** Warm initial design: greedy portfolio over the most similar priors (default), or the best config of
   * each nearest prior in turn (MI-SMBO, Feurer et al. 2015). */
  warmInit: z.enum(['portfolio', 'nearest-best']).optional(),
  /**
   * A warm design that explores (default 0: off). Above 0, once the greedy portfolio gains nothing
   * more, each pick is the configuration the priors rate best among those at least this far (Euclidean,
   * in the unit encoding) from everything tried, and each branch of a conditional space that no prior
   * evaluated gets a space-filling pick early. Off by default: on the benchmark suites it helped the
   * ECML ones early and cost on LCBench (bench/README.md, "A warm design that explores").
   */
  warmSpacing: z.number().min(0).max(1).optional(),
  /**
   * How far the portfolio design (warmInit 'portfolio') follows the priors (default 'earned'). 'earned': it takes the priors'
   * configurations while they add something (the greedy portfolio still gains), then fills with the
   * Sobol design until the target has `minTargetForSimilarity` results to judge the priors by, and
   * follows them again only if some prior ranks those results better than chance. 'given': it follows
   * the priors throughout (their top configurations in order once the portfolio gains nothing). With
   * one or two prior experiments, their best configurations after the first were often worse than
   * space-filling points (bench/README.md, "A warm design that earns trust").
   * With `warmSpacing` > 0 the exploring design's own rules apply instead.
   */
  warmTrust: z.enum(['earned', 'given']).optional(),
  /** Target results needed before performance-based similarity is used (default 3; at most 512, the results it is measured on: MAX_SIMILARITY_RESULTS). */
  minTargetForSimilarity: z.number().int().min(2).max(512).optional(),
  /** Prior observations kept per prior model, best-first then spread (default 100). */
  maxPriorObservations: z.number().int().min(2).optional(),
});

export const ParameterLengthscaleSchema = z.object({ parameter: z.string(), lengthscale: z.number().positive() });

export const SuggestRequestSchema = z.object({
  space: SearchSpaceSchema,
  direction: DirectionSchema,
  observations: z.array(ObservationSchema),
  count: z.number().int().min(1),
  seed: z.number().int(),
  priors: z.array(PriorExperimentSchema).optional(),
  metaFeatures: MetaFeaturesSchema.optional(),
  candidates: z.array(ConfigSchema).optional(),
  settings: SettingsSchema.optional(),
  /**
   * Hyperparameters of an earlier fit of this experiment's GP (e.g. from the provenance of its last
   * model-based suggestion) and the number of observations it was fitted on. The fit starts from
   * them, or reuses them while the data grew by less than 10%: much faster, and still a pure
   * function of the request.
   */
  targetHyperparameters: z
    .object({
      /** Per encoded column, as fitted; or, for wide encodings, only `lengthscalesByParameter` (expanded per column). */
      lengthscales: z.array(z.number().positive()).optional(),
      lengthscalesByParameter: z.array(ParameterLengthscaleSchema).optional(),
      signal: z.number().positive(),
      noise: z.number().positive(),
      n: z.number().int().min(1),
    })
    .refine((h) => h.lengthscales !== undefined || h.lengthscalesByParameter !== undefined, {
      message: 'needs lengthscales or lengthscalesByParameter',
    })
    .optional(),
});

export const ProvenanceStrategySchema = z.enum(['manual', 'random', 'sobol', 'lhs', 'warm-start', 'portfolio', 'gp-bo', 'transfer-bo']);

export const ProvenanceSchema = z.object({
  strategy: ProvenanceStrategySchema,
  optimizerVersion: z.string(),
  priors: z.array(z.object({ experimentId: z.string(), similarity: z.number().optional(), weight: z.number() })),
  sourceTrials: z.array(z.object({ experimentId: z.string(), trialId: z.string().optional(), weight: z.number() })),
  acquisition: z.object({ name: z.string(), value: z.number() }).optional(),
  model: z
    .object({
      n: z.number().int(),
      /**
       * Observations the target GP's hyperparameters were fitted on: below `n` while an earlier fit is
       * reused (see SuggestRequest.targetHyperparameters), so the next request knows when to refit.
       */
      fittedN: z.number().int().optional(),
      lml: z.number().optional(),
      /** Per encoded column; recorded only up to MAX_RECORDED_COLUMNS columns (see models/lengthscale-summary.ts). */
      lengthscales: z.array(z.number()).optional(),
      /** One per parameter, in the space's order (a categorical: geometric mean over its choices). */
      lengthscalesByParameter: z.array(ParameterLengthscaleSchema).optional(),
      signal: z.number().optional(),
      noise: z.number().optional(),
      outputTransform: z.string().optional(),
      rgpeWeights: z.array(z.object({ experimentId: z.string(), weight: z.number() })).optional(),
    })
    .optional(),
  notes: z.array(z.string()),
});

export const SuggestionSchema = z.object({ config: ConfigSchema, provenance: ProvenanceSchema });

export type Condition = z.infer<typeof ConditionSchema>;
export type Choice = z.infer<typeof ChoiceSchema>;
export type FloatParam = z.infer<typeof FloatParamSchema>;
export type IntParam = z.infer<typeof IntParamSchema>;
export type NumericParam = FloatParam | IntParam;
export type CategoricalParam = z.infer<typeof CategoricalParamSchema>;
export type Param = z.infer<typeof ParamSchema>;
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;
export type ConfigValue = z.infer<typeof ConfigValueSchema>;
export type Config = z.infer<typeof ConfigSchema>;
export type TrialState = z.infer<typeof TrialStateSchema>;
export type Direction = z.infer<typeof DirectionSchema>;
export type Observation = z.infer<typeof ObservationSchema>;
export type MetaFeatures = z.infer<typeof MetaFeaturesSchema>;
export type PriorExperiment = z.infer<typeof PriorExperimentSchema>;
export type Strategy = z.infer<typeof StrategySchema>;
export type AcquisitionName = z.infer<typeof AcquisitionNameSchema>;
export type BatchMode = z.infer<typeof BatchModeSchema>;
export type OutputTransformName = z.infer<typeof OutputTransformSchema>;
export type Settings = z.infer<typeof SettingsSchema>;
export type SuggestRequest = z.infer<typeof SuggestRequestSchema>;
export type ParameterLengthscale = z.infer<typeof ParameterLengthscaleSchema>;
export type ProvenanceStrategy = z.infer<typeof ProvenanceStrategySchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;
export type Suggestion = z.infer<typeof SuggestionSchema>;
