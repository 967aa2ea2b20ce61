import type { GPHyperparameters } from '../models/gp.ts';
// The one interface every sampler implements, and the context they share. A sampler returns complete
// suggestions (config + provenance) and records its picks in `ctx.exclude` / `ctx.batchPending`, so a
// later sampler in the same batch avoids them and can model them as pending.
import type { Config, Direction, MetaFeatures, Provenance, ProvenanceStrategy, SearchSpace, Settings, Suggestion } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import type { PriorEvidence } from '../prior-evidence.ts';
import type { TargetData } from '../target.ts';
import type { CandidateMenu } from '../acquisition/optimize.ts';
import type { ProjectedPrior } from '../warmstart/project.ts';
import { OPTIMIZER_VERSION } from '../version.ts';

export type ResolvedSettings = Required<Omit<Settings, 'strategy'>> & { strategy: NonNullable<Settings['strategy']> };

export type SamplerContext = {
  space: SearchSpace;
  encoder: Encoder;
  direction: Direction;
  seed: number;
  settings: ResolvedSettings;
  target: TargetData;
  /** Keys that must not be suggested while an alternative exists (observations + this batch so far). */
  exclude: Set<string>;
  /** The subset that is being evaluated right now (pending trials + this batch): never repeated while
   * anything else is left, even once every configuration has been tried. */
  busy: Set<string>;
  /** Encodings of this batch's earlier suggestions (treated like pending trials). */
  batchPending: Float64Array[];
  menu: CandidateMenu | null;
  priors: ProjectedPrior[];
  metaFeatures: MetaFeatures | undefined;
  /** What the priors say about this target, through the caller's memos (see prior-evidence.ts). */
  evidence: PriorEvidence;
  /** Hyperparameters of an earlier fit of the target GP, from the request. */
  warmTarget: { hyper: GPHyperparameters; n: number } | undefined;
  /** Number of observations in the request (all states): the position of this batch in the design. */
  nSeen: number;
};

export interface Sampler {
  readonly name: string;
  /** `unavailable` when the sampler cannot run on this context (the caller falls back and records why). */
  suggest(ctx: SamplerContext, count: number): { suggestions: Suggestion[] } | { unavailable: string };
}

export function provenance(strategy: ProvenanceStrategy, extra: Partial<Provenance> = {}): Provenance {
  return {
    strategy,
    optimizerVersion: OPTIMIZER_VERSION,
    priors: [],
    sourceTrials: [],
    notes: [],
    ...extra,
  };
}

/** Record a pick so later picks in the batch avoid it and model it as pending. */
export function commit(ctx: SamplerContext, config: Config, key: string): void {
  ctx.exclude.add(key);
  ctx.busy.add(key);
  ctx.batchPending.push(ctx.encoder.encode(config));
}
