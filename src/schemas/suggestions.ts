import { z } from 'zod';
import { Budget, WarmStartPatch } from '../../graph/model.ts';
import { SettingsSchema } from '../../optimizers/schema.ts';
import { TrialResponse } from './trials.ts';

export const MAX_SUGGESTIONS = 100;

export const SuggestBody = z
  .strictObject({ count: z.number().int().min(1).max(MAX_SUGGESTIONS).default(1) })
  .nullish()
  .meta({ examples: [{ count: 1 }] });
export const SuggestResponse = z.object({ trials: z.array(TrialResponse) }).meta({ id: 'Suggestions' });

export const PatchExperimentBody = z
  .strictObject({
    /** Fields given replace the stored ones; the rest stay as they are. */
    warmStart: WarmStartPatch.optional(),
    optimizer: SettingsSchema.optional(),
    budget: Budget.optional(),
    /** Who made the change, for the record. */
    user: z.string().max(200).optional(),
  })
  .refine((b) => b.warmStart || b.optimizer || b.budget, { message: 'nothing to change: give warmStart, optimizer or budget', path: ['warmStart'] })
  .meta({ examples: [{ budget: { maxTrials: 80 }, warmStart: { mode: 'off' }, user: 'ana' }] });

/**
 * A recorded change of an experiment's settings: what GET /v1/experiments/:id/changes lists and an
 * export line carries (see src/schemas/transfer.ts).
 */
export const SettingsChangeRecord = z.object({
  at: z.iso.datetime({ offset: true }),
  /** The experiment's event number when it was made (in an imported copy: in the experiment exported). */
  seq: z.number().int().min(0),
  fields: z.array(z.enum(['warmStart', 'optimizer', 'budget'])).min(1),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
  by: z.string().max(200).nullable().default(null),
});

export const SettingsChangeResponse = z.object({ items: z.array(SettingsChangeRecord) }).meta({ id: 'SettingsChanges' });

export const InvalidateBody = z
  .strictObject({ reason: z.string().max(2000).optional() })
  .nullish()
  .meta({ examples: [{ reason: 'label leak in this fold' }] });

export const ReplayResponse = z
  .object({
    experimentId: z.string(),
    optimizerVersion: z.string(),
    recordedVersions: z.array(z.string()),
    checked: z.number().int(),
    matched: z.number().int(),
    skipped: z.number().int(),
    mismatches: z.array(
      z.object({ trialNumber: z.number().int(), recorded: z.record(z.string(), z.unknown()), replayed: z.record(z.string(), z.unknown()).nullable() }),
    ),
    seconds: z.number(),
  })
  .meta({ id: 'Replay' });
