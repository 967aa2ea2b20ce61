/**
 * What the optimizer saw at one point of an experiment's event sequence. The live suggestion
 * path and replay both build the optimizer request through here, from the same recorded
 * snapshot, which is what makes replay exact.
 */
import { z } from 'zod';
import type { ExperimentHistory, HistoryTrial } from '../../graph/repositories/suggestions.ts';
import { SettingsSchema, type Observation, type PriorExperiment, type SearchSpace, type SuggestRequest } from '../../optimizers/schema.ts';

export const Snapshot = z.object({
  /** The target experiment's event sequence number when the suggestion was computed. */
  seq: z.number().int(),
  seed: z.number().int(),
  /** Priors in the order they were given to the optimizer, each at its own sequence number. */
  priors: z.array(z.object({ experimentId: z.string(), seq: z.number().int(), similarity: z.number().nullable() })),
  settings: SettingsSchema,
  warmStartMode: z.string(),
  batchIndex: z.number().int(),
  batchSize: z.number().int(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * The trials as of `seq`: completed ones with their values, failed ones, and the rest pending.
 * Results marked invalid by then are left out, and so are stale trials (their worker is gone:
 * they are neither pending nor evidence).
 */
export function observationsAt(trials: HistoryTrial[], seq: number): Observation[] {
  const out: Observation[] = [];
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.createdSeq > seq) continue;
    if (t.invalidatedSeq !== null && t.invalidatedSeq <= seq) continue;
    const finished = t.finishedSeq !== null && t.finishedSeq <= seq;
    if (finished && t.state === 'completed' && t.value !== null) out.push({ id: t.id, config: t.config, value: t.value, state: 'completed' });
    else if (finished && t.state === 'failed') out.push({ id: t.id, config: t.config, value: null, state: 'failed' });
    else if (t.staleSeq !== null && t.staleSeq <= seq) continue;
    else if (!finished) out.push({ id: t.id, config: t.config, value: null, state: 'pending' });
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

const RecordedFit = z.object({
  n: z.number().int().min(1),
  lengthscales: z.array(z.number().positive()).min(1),
  signal: z.number().positive(),
  noise: z.number().positive(),
});

/**
 * The target GP's hyperparameters from the latest model-based suggestion recorded before `seq`.
 * Starting the next fit there (or reusing it while the data grew little) makes suggestions much
 * cheaper, and since it comes from the recorded history, replay sees exactly the same input.
 */
export function lastFitBefore(trials: HistoryTrial[], seq: number): SuggestRequest['targetHyperparameters'] {
  let found: { seq: number; number: number; fit: z.infer<typeof RecordedFit> } | undefined;
  for (const t of trials) {
    if (t.proposedBy !== 'optimizer' || t.createdSeq > seq) continue;
    const fit = RecordedFit.safeParse(t.provenance?.model);
    if (!fit.success) continue;
    if (!found || t.createdSeq > found.seq || (t.createdSeq === found.seq && t.number > found.number)) found = { seq: t.createdSeq, number: t.number, fit: fit.data };
  }
  return found?.fit;
}

export function buildRequest(target: ExperimentHistory, priors: Map<string, ExperimentHistory>, snap: Snapshot, count: number): SuggestRequest {
  const used = snap.priors.flatMap((p) => {
    const h = priors.get(p.experimentId);
    return h ? [priorAt(h, p.seq)] : [];
  });
  return {
    space: target.experiment.searchSpace as SearchSpace,
    direction: target.experiment.objective.direction,
    observations: observationsAt(target.trials, snap.seq),
    count,
    seed: snap.seed,
    priors: used.filter((p) => p.observations.length > 0),
    metaFeatures: Object.keys(target.metaFeatures).length ? target.metaFeatures : null,
    settings: snap.settings,
    targetHyperparameters: lastFitBefore(target.trials, snap.seq),
  };
}
