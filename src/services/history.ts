/**
 * What the optimizer saw at one point of an experiment's event sequence. The live suggestion
 * path and replay both build the optimizer request through here, from the same recorded
 * snapshot, which is what makes replay exact.
 */
import { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import type { Experiment } from '../../graph/model.ts';
import { readCandidates } from '../../graph/repositories/experiments.ts';
import type { ExperimentHistory, HistoryTrial } from '../../graph/repositories/history.ts';
import {
  ParameterLengthscaleSchema,
  SettingsSchema,
  type Config,
  type Observation,
  type PriorExperiment,
  type SearchSpace,
  type SuggestRequest,
} from '../../optimizers/schema.ts';
import { configKey } from '../../optimizers/space.ts';
import { Lru } from '../../optimizers/cache.ts';

export const Snapshot = z.object({
  /** The target experiment's event sequence number when the suggestion was computed. */
  seq: z.number().int(),
  seed: z.number().int(),
  /** Priors in the order they were given to the optimizer, each at its own sequence number. */
  priors: z.array(z.object({ experimentId: z.string(), seq: z.number().int(), similarity: z.number().nullable() })),
  // Read back from what was recorded: settings of a later optimizer version must not fail the read.
  settings: z.object(SettingsSchema.shape),
  warmStartMode: z.string(),
  batchIndex: z.number().int(),
  batchSize: z.number().int(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * The observation each trial object was last given as (see observation()): histories are never
 * mutated, and a trial that did not change keeps its object from one history to the next.
 */
const observed = new WeakMap<HistoryTrial, Observation>();

/**
 * The trial as an observation, the same object as last time when nothing it shows changed: the
 * optimizer's observation memo then knows it without validating it again (see suggest()).
 */
function observation(t: HistoryTrial, value: number | null, state: Observation['state']): Observation {
  const last = observed.get(t);
  if (last && last.state === state && Object.is(last.value, value)) return last;
  const o: Observation = { id: t.id, config: t.config, value, state };
  observed.set(t, o);
  return o;
}

/** The trials in number order (a history's trials nearly always are already). */
function byNumber(trials: HistoryTrial[]): HistoryTrial[] {
  for (let i = 1; i < trials.length; i++) if (trials[i - 1]!.number > trials[i]!.number) return [...trials].sort((a, b) => a.number - b.number);
  return trials;
}

/**
 * The trials as of `seq`: completed ones with their values, failed ones, and the rest pending.
 * Results marked invalid by then are left out, and so are stale trials (their worker is gone:
 * they are neither pending nor evidence).
 */
export function observationsAt(trials: HistoryTrial[], seq: number): Observation[] {
  const out: Observation[] = [];
  for (const t of byNumber(trials)) {
    if (t.createdSeq > seq) continue;
    if (t.invalidatedSeq !== null && t.invalidatedSeq <= seq) continue;
    const finished = t.finishedSeq !== null && t.finishedSeq <= seq;
    if (finished && t.state === 'completed' && t.value !== null) out.push(observation(t, t.value, 'completed'));
    else if (finished && t.state === 'failed') out.push(observation(t, null, 'failed'));
    else if (t.staleSeq !== null && t.staleSeq <= seq) continue;
    else if (!finished) out.push(observation(t, null, 'pending'));
  }
  return out;
}

export function priorAt(h: ExperimentHistory, seq: number): PriorExperiment {
  return {
    id: h.experiment.id,
    direction: h.experiment.objective.direction,
    space: h.experiment.searchSpace as SearchSpace,
    metaFeatures: Object.keys(h.metaFeatures).length ? h.metaFeatures : null,
    observations: observationsAt(h.trials, seq).filter((o) => o.state === 'completed'),
  };
}

/**
 * priorAt() once per history object and sequence number: a prior's history is read again only
 * when it changed (and then it is a new object; mergeHistory never mutates one), so asks that learn
 * from the same priors get the same PriorExperiment objects, which the optimizer's prior memo
 * recognises without validating and projecting them again.
 */
const priorsAt = new WeakMap<ExperimentHistory, Map<number, PriorExperiment>>();
function rememberedPriorAt(h: ExperimentHistory, seq: number): PriorExperiment {
  let bySeq = priorsAt.get(h);
  if (!bySeq) priorsAt.set(h, (bySeq = new Map()));
  let p = bySeq.get(seq);
  if (!p) bySeq.set(seq, (p = priorAt(h, seq)));
  return p;
}

const RecordedFit = z
  .object({
    n: z.number().int().min(1),
    // Absent in suggestions recorded before it existed: their `n` is what the request then carried.
    fittedN: z.number().int().min(1).optional(),
    // Per column up to a width; per parameter always (and alone above that width).
    lengthscales: z.array(z.number().positive()).min(1).optional(),
    lengthscalesByParameter: z.array(ParameterLengthscaleSchema).min(1).optional(),
    signal: z.number().positive(),
    noise: z.number().positive(),
  })
  .refine((f) => f.lengthscales !== undefined || f.lengthscalesByParameter !== undefined);

/**
 * The target GP's hyperparameters from the latest model-based suggestion recorded before `seq`.
 * Starting the next fit there (or reusing it while the data grew little) makes suggestions much
 * cheaper, and since it comes from the recorded history, replay sees exactly the same input.
 */
export function lastFitBefore(trials: HistoryTrial[], seq: number): SuggestRequest['targetHyperparameters'] {
  // Only the latest suggestion's model is parsed (an unreadable one gives way to the one before):
  // parsing every recorded model cost 2.6 ms per ask at 2,000 trials, and replay does it per step.
  let skip: Set<HistoryTrial> | undefined;
  for (;;) {
    let latest: HistoryTrial | undefined;
    for (const t of trials) {
      if (t.proposedBy !== 'optimizer' || t.createdSeq > seq || t.provenance?.model == null || skip?.has(t)) continue;
      if (!latest || t.createdSeq > latest.createdSeq || (t.createdSeq === latest.createdSeq && t.number > latest.number)) latest = t;
    }
    if (!latest) return undefined;
    const fit = recordedFit(latest.provenance!.model);
    if (fit) return fit;
    (skip ??= new Set()).add(latest);
  }
}

/** The target fit a suggestion's `provenance.model` records, as the next request takes it (undefined if unreadable). */
export function recordedFit(model: unknown): SuggestRequest['targetHyperparameters'] {
  const fit = RecordedFit.safeParse(model);
  if (!fit.success) return undefined;
  // The count the hyperparameters were fitted on, not the one they were last used at: handing on
  // the latter made every reuse look like a fresh fit, so the 10% refit schedule never came round.
  const { fittedN, lengthscales, lengthscalesByParameter, ...rest } = fit.data;
  return { ...rest, ...(lengthscales ? { lengthscales } : { lengthscalesByParameter }), n: fittedN ?? rest.n };
}

/** Every candidate of the menu is evaluated or pending: nothing left to suggest (409). */
export class MenuExhaustedError extends ConflictError {}

/**
 * Menus never change after the experiment is created and ids are never reused, so a parsed menu
 * can be kept; a few only, since one can hold 20,000 configurations.
 */
const menus = new Lru<string, Config[]>(16);

/** The experiment's candidate menu, or undefined when it searches the whole space. */
export async function candidatesOf(graph: Graph, projectId: string, e: Experiment): Promise<Config[] | undefined> {
  if (e.candidateCount === 0) return undefined;
  let menu = menus.get(e.id);
  if (!menu) {
    menu = (await readCandidates(graph, projectId, e.id)) ?? [];
    menus.set(e.id, menu);
  }
  return menu;
}

/**
 * With a menu, how many candidates are neither evaluated nor pending; throws when none is. The
 * optimizer would fill a batch larger than that with re-evaluations, so the batch is cut to it.
 */
export function openCandidates(space: SearchSpace, candidates: Config[], observations: Observation[]): number {
  const taken = new Map<string, Observation['state']>();
  for (const o of observations) {
    const key = configKey(space, o.config);
    if (taken.get(key) !== 'pending') taken.set(key, o.state);
  }
  let open = 0;
  let evaluated = 0;
  let pending = 0;
  for (const c of candidates) {
    const state = taken.get(configKey(space, c));
    if (state === undefined) open++;
    else if (state === 'pending') pending++;
    else evaluated++;
  }
  if (open > 0) return open;
  const details = { candidates: candidates.length, evaluated, pending };
  if (pending > 0) throw new MenuExhaustedError(`every candidate left is pending (${pending} running or queued); complete some trials and ask again`, details);
  throw new MenuExhaustedError(
    `every one of the ${candidates.length} candidates has been evaluated; finish the experiment, or add configurations as trials yourself`,
    details,
  );
}

/**
 * The optimizer request for `snap`. With a candidate menu the optimizer chooses among the menu
 * entries not yet tried, and `count` is cut to how many are left (see openCandidates).
 */
export function buildRequest(
  target: ExperimentHistory,
  priors: Map<string, ExperimentHistory>,
  snap: Snapshot,
  count: number,
  candidates?: Config[],
): SuggestRequest {
  const used = snap.priors.flatMap((p) => {
    const h = priors.get(p.experimentId);
    return h ? [rememberedPriorAt(h, p.seq)] : [];
  });
  const space = target.experiment.searchSpace as SearchSpace;
  const observations = observationsAt(target.trials, snap.seq);
  return {
    space,
    direction: target.experiment.objective.direction,
    observations,
    count: candidates ? Math.min(count, openCandidates(space, candidates, observations)) : count,
    ...(candidates ? { candidates } : {}),
    seed: snap.seed,
    priors: used.filter((p) => p.observations.length > 0),
    metaFeatures: Object.keys(target.metaFeatures).length ? target.metaFeatures : null,
    settings: snap.settings,
    targetHyperparameters: lastFitBefore(target.trials, snap.seq),
  };
}
