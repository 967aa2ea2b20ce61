// The format of results.json (`quality/1`), so readers (the smoke test, later comparisons across runs)
// validate it instead of trusting it.
import { z } from 'zod';

const ByBudget = z.record(z.string().regex(/^\d+$/), z.number());

export const CurveSchema = z.object({
  task: z.string(),
  seed: z.number().int(),
  /** Best raw objective value after each trial. */
  incumbent: z.array(z.number()),
  /** Normalised regret of the incumbent after each trial. */
  regret: z.array(z.number().min(0).max(1)),
});

/** Where and how a run was made (absent in files written before it was recorded). */
export const EnvironmentSchema = z.object({
  /** `git rev-parse HEAD`, with "+dirty" when the working tree had changes; null outside a checkout. */
  commit: z.string().nullable(),
  node: z.string(),
  /** Optuna's version when an Optuna method ran. */
  optuna: z.string().optional(),
  machine: z.object({ cpus: z.number().int(), model: z.string(), memoryGiB: z.number() }),
  /** The command line, as typed after `npm run bench --`. */
  command: z.string(),
  /** Wall time of the invocation that finished the run. */
  wallSeconds: z.number(),
  /** Runs (method, task, seed) taken over from a partial file by `--resume`, and the seconds they had taken. */
  resumedRuns: z.number().int().default(0),
  resumedSeconds: z.number().default(0),
  startedAt: z.string(),
  finishedAt: z.string(),
});

const PriorExperimentsSchema = z.union([z.number().int().nonnegative(), z.literal('all')]);

export const QualityResultsSchema = z.object({
  format: z.literal('quality/1'),
  suite: z.string(),
  methods: z.array(z.string()),
  budgets: z.array(z.number().int().positive()),
  protocol: z.object({
    budget: z.number().int().positive(),
    seeds: z.array(z.number().int()),
    priorTrials: z.number().int().positive(),
    shufflePriors: z.boolean(),
    viaService: z.boolean().default(false),
    tasks: z.array(z.string()),
    /** Other tasks drawn per (target, seed) as the history (`--prior-experiments`); absent means all. */
    priorExperiments: PriorExperimentsSchema.optional(),
    /** Things the reader should know about the run (e.g. a suite without meta-features). */
    warnings: z.array(z.string()).optional(),
    skipped: z.array(z.object({ method: z.string(), reason: z.string() })),
  }),
  /** Mean normalised regret per method and budget. */
  summary: z.record(z.string(), ByBudget),
  /** Average rank (1 = best) per method and budget. */
  ranks: z.record(z.string(), ByBudget),
  trialsToTarget: z.record(z.string(), z.number().int().positive().nullable()),
  /** Every (task, seed) curve per method, in the same order for every method. */
  curves: z.record(z.string(), z.array(CurveSchema)),
  environment: EnvironmentSchema.optional(),
});

export type Curve = z.infer<typeof CurveSchema>;
export type QualityResults = z.infer<typeof QualityResultsSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
