import { z } from 'zod';
import { Configuration, FiniteNumber, NumberMap, Trial, TrialState } from '../../graph/model.ts';
import { PageQuery, pageOf } from './common.ts';

export const TrialResponse = Trial.meta({ id: 'Trial' });
export const TrialPage = pageOf(TrialResponse).meta({ id: 'TrialPage' });

const Metrics = NumberMap(200);

export const CreateTrialBody = z
  .strictObject({
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
  .meta({ examples: [{ config: { learning_rate: 0.05, max_depth: 6 }, queue: true, reason: 'the setting that worked last quarter', user: 'ana' }] });

export const CompleteTrialBody = z
  .strictObject({
    value: FiniteNumber,
    metrics: Metrics.optional(),
    durationSeconds: z.number().nonnegative().max(1e9).optional(),
  })
  .meta({ examples: [{ value: 0.913, metrics: { logloss: 0.21 }, durationSeconds: 84.5 }] });
export const FailTrialBody = z
  .strictObject({ reason: z.string().max(2000).optional() })
  .nullish()
  .meta({ examples: [{ reason: 'CUDA out of memory' }] });
export const ReportBody = z.strictObject({ step: z.number().int().min(0).max(1e9), value: FiniteNumber }).meta({ examples: [{ step: 10, value: 0.87 }] });

export const ListTrialsQuery = PageQuery.extend({ state: TrialState.optional() });
