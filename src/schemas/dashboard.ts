import { z } from 'zod';
import { Configuration, Experiment, ExperimentStatus, Id, IntermediateValue, Trial } from '../../graph/model.ts';
import { DASHBOARD_SORTS } from '../../graph/repositories/dashboard.ts';
import { PageQuery, pageOf } from './common.ts';

const Direction = z.enum(['minimize', 'maximize']);

export const DashboardListQuery = PageQuery.extend({
  name: z.string().max(200).optional().describe('case-insensitive substring of the experiment name'),
  datasetId: z.uuid().optional().describe('only experiments on this dataset'),
  model: z.string().max(200).optional().describe('only experiments of this model name (exact)'),
  status: ExperimentStatus.optional(),
  warmStarted: z.enum(['yes', 'no']).optional().describe('yes: experiments that learned from at least one prior experiment; no: the others'),
  sort: z
    .enum(Object.keys(DASHBOARD_SORTS) as [keyof typeof DASHBOARD_SORTS, ...(keyof typeof DASHBOARD_SORTS)[]])
    .default('created')
    .describe('what to sort by; experiments without a value (e.g. no best yet) come last'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const DashboardListItem = z
  .object({
    experiment: Experiment,
    completedTrials: z.number().int(),
    failedTrials: z.number().int(),
    runningTrials: z.number().int().describe('running and queued trials'),
    bestValue: z.number().nullable(),
    bestTrialNumber: z.number().int().nullable(),
    priors: z.number().int().describe('prior experiments it learned from (WARM_STARTED_FROM edges)'),
  })
  .meta({ id: 'DashboardExperiment' });

export const DashboardListResponse = pageOf(DashboardListItem)
  .extend({
    facets: z.object({
      models: z.array(z.string()),
      datasets: z.array(z.object({ id: Id, name: z.string(), version: z.string() })),
    }),
  })
  .meta({ id: 'DashboardExperimentPage' });

export const DashboardTrial = z.object({
  id: Id,
  number: z.number().int(),
  state: z.string(),
  value: z.number().nullable(),
  config: Configuration,
  strategy: z.string().nullable(),
  proposedBy: z.string(),
  user: z.string().nullable(),
  invalid: z.boolean(),
  durationSeconds: z.number().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  intermediate: z.array(IntermediateValue),
});

export const ImportanceSchema = z
  .object({
    method: z.literal('ped-anova'),
    reference: z.string(),
    quantile: z.number(),
    baseline: z.enum(['local', 'global']),
    trials: z.number().int(),
    topTrials: z.number().int(),
    cutoff: z.number().nullable(),
    parameters: z.array(
      z.object({
        name: z.string(),
        importance: z.number(),
        divergence: z.number(),
        activeTrials: z.number().int(),
        note: z.string().optional(),
      }),
    ),
    notes: z.array(z.string()),
  })
  .meta({ id: 'ParameterImportance' });

export const ExperimentDashboardResponse = z
  .object({
    experiment: Experiment.extend({
      counts: z.record(z.string(), z.number().int()),
      eventSeq: z.number().int(),
      bestTrialId: Id.nullable(),
    }),
    trials: z.array(DashboardTrial).describe('every trial in number order, without provenance (GET /v1/trials/{id}/why has it)'),
    importance: ImportanceSchema,
    warmStart: z.object({
      normalisation: z.string(),
      target: z.array(z.number()).describe("this experiment's normalised best-so-far value after each completed trial"),
      priors: z.array(
        z.object({
          experimentId: Id,
          name: z.string(),
          datasetName: z.string(),
          projectId: Id,
          similarity: z.number().nullable(),
          weight: z.number().nullable(),
          uses: z.number().int(),
          completedTrials: z.number().int(),
          best: z.number().nullable(),
          curve: z.array(z.number()),
        }),
      ),
      cold: z
        .object({ experiments: z.number().int(), names: z.array(z.string()), median: z.array(z.number()) })
        .nullable()
        .describe('the median normalised curve of the project’s experiments of the same model and metric that learned from no prior'),
    }),
    browserQuery: z.string().describe('Cypher that shows this experiment, its trials and priors in Neo4j Browser'),
  })
  .meta({ id: 'ExperimentDashboard' });

const ExperimentRef = z.object({
  experimentId: Id,
  name: z.string(),
  datasetName: z.string(),
  modelName: z.string(),
  projectId: Id,
  direction: Direction,
  link: z.object({ similarity: z.number().nullable(), weight: z.number().nullable(), uses: z.number().int() }).nullable(),
});

export const TrialWhyResponse = z
  .object({
    trial: Trial,
    experiment: z.object({ id: Id, name: z.string(), datasetName: z.string(), direction: Direction }),
    experiments: z.array(ExperimentRef).describe('the experiments its provenance names, that this key may see'),
    sources: z
      .array(
        z.object({
          trialId: Id,
          number: z.number().int(),
          value: z.number().nullable(),
          state: z.string(),
          config: Configuration,
          experimentId: Id,
          experimentName: z.string(),
          datasetName: z.string(),
        }),
      )
      .describe('the prior trials a warm-start or portfolio pick was taken from'),
    browserQuery: z.string().describe('Cypher that shows the trial and where it came from in Neo4j Browser'),
  })
  .meta({ id: 'TrialWhy' });
