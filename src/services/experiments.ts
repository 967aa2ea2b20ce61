import { randomInt } from 'node:crypto';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError, InvalidInputError } from '../../graph/errors.ts';
import type { Configuration, Experiment } from '../../graph/model.ts';
import { createExperiment, findOrCreateExperiment, readCandidates, type ExperimentWrite } from '../../graph/repositories/experiments.ts';
import { DEFAULT_SPACE_LIMITS, type SpaceLimits } from '../../optimizers/space.ts';
import { OPTIMIZER_VERSION } from '../../optimizers/version.ts';
import type { CreateExperimentBody } from '../schemas/experiments.ts';
import { assertValidSpace, prepareCandidates } from './configs.ts';
import { assertOwnExperiments } from './warm-start-refs.ts';

type Body = typeof CreateExperimentBody._output;

/**
 * Creates an experiment, or with `ifExists` resumes the project's experiment of that name, as
 * Optuna's `create_study(load_if_exists=True)` does. An experiment is "the same" when it searches the
 * same space for the same objective, model and dataset; its settings (budget, optimizer, warm start,
 * seed, tags) are the stored ones, and PATCH changes them.
 */
export async function createOrReuseExperiment(
  graph: Graph,
  projectId: string,
  body: Body,
  limits: SpaceLimits = DEFAULT_SPACE_LIMITS,
): Promise<{ experiment: Experiment; created: boolean }> {
  const { ifExists, ...input } = body;
  assertValidSpace(input.searchSpace, 'body.searchSpace', limits);
  await assertOwnExperiments(graph, projectId, 'body.warmStart.experiments', input.warmStart?.experiments);
  const candidates = input.candidates && prepareCandidates(input.searchSpace, input.candidates);
  const write: ExperimentWrite = { ...input, candidates, seed: input.seed ?? randomInt(0, 2 ** 31 - 1), optimizerVersion: OPTIMIZER_VERSION };
  if (ifExists === 'create') return { experiment: await createExperiment(graph, projectId, write), created: true };

  if (!input.name) throw new InvalidInputError('body.name', `a name is required with ifExists "${ifExists}": it is what identifies the experiment to resume`);
  const found = await findOrCreateExperiment(graph, projectId, input.name, write);
  if (found.created) return found;
  const existing = found.experiment;
  if (ifExists === 'error') {
    throw new ConflictError(
      `an experiment named ${JSON.stringify(input.name)} already exists in this project (${existing.id}); use ifExists "reuse" to resume it`,
      {
        experimentId: existing.id,
      },
    );
  }
  const difference = firstDifference(existing, write) ?? (await candidateDifference(graph, projectId, existing, candidates));
  if (difference) {
    throw new ConflictError(
      `experiment ${JSON.stringify(input.name)} (${existing.id}) exists with a different ${difference.field}: ${difference.existing} there, ${difference.requested} here; ` +
        'give this search another name, or send the same definition to resume it',
      { experimentId: existing.id, ...difference },
    );
  }
  return found;
}

type Difference = { field: string; existing: string; requested: string };

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

function differ(field: string, existing: unknown, requested: unknown): Difference | null {
  return show(existing) === show(requested) ? null : { field, existing: show(existing), requested: show(requested) };
}

/** The first field, in the order a person would check them, where the stored experiment differs. */
export function firstDifference(existing: Experiment, requested: ExperimentWrite): Difference | null {
  const simple =
    differ('datasetId', existing.datasetId, requested.datasetId) ??
    differ('model.name', existing.model.name, requested.model.name) ??
    differ('model.library', existing.model.library, requested.model.library) ??
    differ('objective.metric', existing.objective.metric, requested.objective.metric) ??
    differ('objective.direction', existing.objective.direction, requested.objective.direction);
  if (simple) return simple;
  const had = existing.searchSpace as Record<string, unknown>[];
  const want = requested.searchSpace as unknown as Record<string, unknown>[];
  for (let i = 0; i < Math.max(had.length, want.length); i++) {
    const a = had[i];
    const b = want[i];
    if (!a || !b) return differ(`searchSpace[${i}]`, a?.name, b?.name);
    const label = `searchSpace[${i}] ${JSON.stringify(b.name)}`;
    // `log` defaults to false: a space stored before the default existed has it spelled out.
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'log');
    for (const k of ['name', 'type', ...keys.filter((k) => k !== 'name' && k !== 'type').sort(), 'log']) {
      const d = k === 'log' ? differ(`${label}.log`, a.log ?? false, b.log ?? false) : differ(`${label}.${k}`, a[k], b[k]);
      if (d) return d;
    }
  }
  return null;
}

async function candidateDifference(graph: Graph, projectId: string, existing: Experiment, requested: Configuration[] | undefined): Promise<Difference | null> {
  if (existing.candidateCount === 0 && !requested) return null;
  const had = existing.candidateCount === 0 ? undefined : await readCandidates(graph, projectId, existing.id);
  if (had?.length !== requested?.length) return differ('candidates (count)', had?.length ?? 0, requested?.length ?? 0);
  const i = had!.findIndex((c, k) => show(c) !== show(requested![k]));
  return i < 0 ? null : differ(`candidates[${i}]`, had![i], requested![i]);
}
