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
    skipped: z.array(z.object({ method: z.string(), reason: z.string() })),
  }),
  /** Mean normalised regret per method and budget. */
  summary: z.record(z.string(), ByBudget),
  /** Average rank (1 = best) per method and budget. */
  ranks: z.record(z.string(), ByBudget),
  trialsToTarget: z.record(z.string(), z.number().int().positive().nullable()),
  /** Every (task, seed) curve per method, in the same order for every method. */
  curves: z.record(z.string(), z.array(CurveSchema)),
});

export type Curve = z.infer<typeof CurveSchema>;
export type QualityResults = z.infer<typeof QualityResultsSchema>;
