// A warm design that explores. The greedy portfolio (portfolio.ts) adds the configuration that most
// lowers Σ_p w_p·min_c loss(c, p); with one prior (or a few whose bests the design holds) the gain is zero after the
// first pick, and the greedy would go on in the prior's own order — its top configurations, often
// near-duplicates of each other. Two rules take over there:
//
// - Once the marginal gain has vanished, the next pick is the configuration the priors rate best
//   (weighted mean loss, the portfolio's own loss) among those at least settings.warmSpacing from
//   everything the target tried and the design holds, drawn from the priors' top configurations and
//   a scrambled Sobol' design. This is the exclusion-radius form of "good and far": Feurer,
//   Springenberg & Hutter (2015) initialise from the best configurations of similar datasets, and
//   auto-sklearn 2.0's greedy portfolio (Feurer et al. 2022) complements its members; neither keeps
//   near-duplicates apart when the priors are few, which a minimum distance between design points does
//   (the maximin idea of space-filling designs, Johnson, Moore & Ylvisaker 1990). When nothing is that
//   far (a small candidate menu), the farthest configuration is taken instead.
// - A branch of a conditional space (a choice of a categorical other parameters depend on) that no
//   prior with weight evaluated gets a space-filling pick early (right after the design's first
//   configuration): the priors cannot say anything about it, and the GP after the design would
//   otherwise only learn about it by chance.
import type { Config, SearchSpace } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import type { FitResult } from '../models/fit.ts';
import { activeMask, choiceIndex } from '../space.ts';
import type { ProjectedPrior } from './project.ts';
import { priorLosses } from './portfolio.ts';

/** A greedy step whose weighted loss reduction is at most this adds nothing: the design switches to diversity picks. */
export const VANISHED_GAIN = 0;
/** Sobol' points scored per diversity or branch pick, and the least number of prior configurations the diversity picks choose from. */
export const EXPLORE_POINTS = 64;

/** One branch of a conditional space: parameter `param` (index `index` in the space) set to `value`. */
export type Branch = { param: string; index: number; value: Config[string] };

/** Every choice of every categorical parameter some condition refers to. */
export function conditionalBranches(space: SearchSpace): Branch[] {
  const parents = new Set(space.flatMap((p) => (p.condition ? [p.condition.parent] : [])));
  const out: Branch[] = [];
  space.forEach((p, index) => {
    if (p.type !== 'categorical' || !parents.has(p.name)) return;
    for (const value of p.choices) out.push({ param: p.name, index, value });
  });
  return out;
}

/** Whether `config` is in branch `b` (the parameter active and set to the branch's value). */
export function inBranch(space: SearchSpace, config: Config, b: Branch): boolean {
  return choiceIndex([b.value], config[b.param]) >= 0 && activeMask(space, config)[b.index] === true;
}

/** Branches that no prior with a weight evaluated (a prior without the parameter evaluated none of its branches). */
export function unevaluatedBranches(space: SearchSpace, priors: ProjectedPrior[], weights: ArrayLike<number>): Branch[] {
  return conditionalBranches(space).filter(
    (b) => !priors.some((prior, p) => weights[p] !== 0 && prior.shared.includes(b.param) && prior.configs.some((c) => choiceIndex([b.value], c[b.param]) >= 0)),
  );
}

/**
 * A point in parameter units (one per parameter, see Encoder.fromParamUnits) moved into branch `b`:
 * the branch's parameter takes its value, and each parameter it depends on the first value that
 * keeps it active.
 */
export function intoBranch(space: SearchSpace, u: ArrayLike<number>, b: Branch): Float64Array {
  const out = Float64Array.from(space, (_, i) => u[i] ?? 0.5);
  const set = (index: number, value: Config[string]) => {
    const p = space[index]!;
    if (p.type !== 'categorical') return;
    out[index] = (choiceIndex(p.choices, value) + 0.5) / p.choices.length;
    if (!p.condition) return;
    const parent = space.findIndex((q) => q.name === p.condition!.parent);
    if (parent >= 0) set(parent, p.condition.values[0]!);
  };
  set(b.index, b.value);
  return out;
}

/**
 * The priors' weighted mean loss (the portfolio's loss, see priorLosses) at configurations that are
 * kept nowhere (design points drawn for one request). `model`: each prior's GP.
 */
export function weightedLosses(
  encoder: Encoder,
  configs: Config[],
  priors: ProjectedPrior[],
  weights: ArrayLike<number>,
  model: (prior: ProjectedPrior) => FitResult | null,
): Float64Array {
  const out = new Float64Array(configs.length);
  let total = 0;
  priors.forEach((prior, p) => {
    const w = weights[p]!;
    if (!(w > 0) || configs.length === 0) return;
    total += w;
    const losses = priorLosses(encoder, prior, configs, () => model(prior));
    for (let i = 0; i < out.length; i++) out[i]! += w * losses[i]!;
  });
  if (total > 0) for (let i = 0; i < out.length; i++) out[i]! /= total;
  else out.fill(0.5);
  return out;
}

/** The weighted mean of one row of a loss matrix (configs × P), over the priors with a weight. */
export function weightedRowLoss(matrix: Float64Array, row: number, P: number, weights: ArrayLike<number>): number {
  let sum = 0;
  let total = 0;
  for (let p = 0; p < P; p++) {
    const w = weights[p]!;
    if (!(w > 0)) continue;
    sum += w * matrix[row * P + p]!;
    total += w;
  }
  return total > 0 ? sum / total : 0.5;
}

/** Euclidean distance between two encodings. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d += (a[k]! - b[k]!) ** 2;
  return Math.sqrt(d);
}

/** A configuration a diversity or branch pick may choose, with its weighted loss under the priors and distance to the design. */
export type ExploreOption = { config: Config; key: string; x: Float64Array; loss: number; dmin: number };

/**
 * The option to pick: the lowest loss among those at least `radius` from the design (the first of
 * equals), else the farthest (the lowest loss among equally far). −1 when there are none.
 */
export function chooseOption(options: readonly ExploreOption[], radius: number, open: (i: number) => boolean = () => true): number {
  let best = -1;
  let far = false;
  for (let i = 0; i < options.length; i++) {
    if (!open(i)) continue;
    const o = options[i]!;
    const isFar = o.dmin >= radius;
    if (best < 0) {
      best = i;
      far = isFar;
      continue;
    }
    const b = options[best]!;
    if (far) {
      if (isFar && o.loss < b.loss) best = i;
    } else if (isFar || o.dmin > b.dmin || (o.dmin === b.dmin && o.loss < b.loss)) {
      best = i;
      far = isFar;
    }
  }
  return best;
}
