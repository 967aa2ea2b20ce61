import { z } from 'zod';
import { Configuration, FiniteNumber, Trial, TrialState } from '../../graph/model.ts';
import { PageQuery } from './common.ts';

export const TrialResponse = Trial.meta({ id: 'Trial' });

const Metrics = z.record(z.string().min(1).max(200), FiniteNumber);

export const CreateTrialBody = z
  .object({
    config: Configuration,
    /** Already evaluated: the trial is stored completed with this value. */
    value: FiniteNumber.optional(),
    metrics: Metrics.optional(),
    /** Already evaluated and it failed. */
    failed: z.boolean().optional(),
    failReason: z.string().max(2000).optional(),
    /** Leave it for a worker: the next suggestion request hands it out before anything the optimizer proposes. */
    queue: z.boolean().default(false),
    reason: z.string().max(2000).optional(),
    user: z.string().max(200).optional(),
  })
  .refine((b) => !(b.failed && b.value !== undefined), { message: 'a trial is either failed or has a value', path: ['failed'] })
  .refine((b) => !(b.queue && (b.failed || b.value !== undefined)), { message: 'a queued trial has no result yet', path: ['queue'] })
  ;

export const CompleteTrialBody = z.object({
  value: FiniteNumber,
  metrics: Metrics.optional(),
  durationSeconds: z.number().nonnegative().max(1e9).optional(),
});
export const FailTrialBody = z.object({ reason: z.string().max(2000).optional() }).nullish();
export const ReportBody = z.object({ step: z.number().int().min(0).max(1e9), value: FiniteNumber });

export const ListTrialsQuery = PageQuery.extend({ state: TrialState.optional() });
