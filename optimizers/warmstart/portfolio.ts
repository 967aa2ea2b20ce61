// Greedy portfolio (auto-sklearn 2.0, Feurer et al. 2022, after Xu et al.'s portfolio construction):
// without meta-features there is no "nearest dataset", so pick configs that *together* do well across
// all priors. Candidates are each prior's top configs; the loss of a set on prior p is its best member's
// normalised rank there, and configs are added one by one to maximise the weighted reduction of
// Σ_p w_p·loss_p. Configs the target already tried count as members, so the portfolio complements them;
// once the target has results, w_p comes from how well prior p ranks them, so the design drifts towards
// the priors that predict this target.
//
// Performance of a candidate on a prior is the prior's own result when it evaluated that config (exact
// look-up on the shared parameters — the common case for tabular benchmarks and re-used menus) and its
// GP's mean otherwise; both are copula scores, mapped through Φ to a rank-like loss in [0, 1].
//
// Pure functions: the memos that carry candidates and losses from one request to the next belong to
// PriorEvidence (optimizers/prior-evidence.ts), which calls these and gives the same numbers.
import type { Config } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import type { FitResult } from '../models/fit.ts';
import { normCdf } from '../math/normal.ts';
import { configKey } from '../space.ts';
import { mapConfig, sharedKey, type ProjectedPrior } from './project.ts';
import { fitPriorModel, priorMeans } from './prior-models.ts';

export type PortfolioCandidate = { config: Config; key: string; prior: ProjectedPrior; row: number };

/**
 * The greedy portfolio's candidates, built round by round: `ends[r]` is the list's length after
 * round r; `seen` holds its keys. A list can be extended by more rounds (extendCandidates).
 */
export type CandidateList = { list: { config: Config; key: string; p: number; row: number }[]; ends: number[]; seen: Set<string> };

/** Round r takes each prior's r-th best configuration (the first occurrence of a configuration wins). */
export function portfolioCandidates(
  encoder: Encoder,
  priors: ProjectedPrior[],
  perPrior: number,
  fill: (slot: number) => ArrayLike<number>,
): PortfolioCandidate[] {
  const shared = priors.map((p) => new Set(p.shared));
  const list: CandidateList = { list: [], ends: [], seen: new Set() };
  let slot = 0;
  extendCandidates(encoder, priors, perPrior, list, (p, row) => mapConfig(encoder, shared[p]!, priors[p]!.configs[row]!, fill(slot++)));
  return candidatesOf(list, perPrior, priors);
}

/**
 * Adds rounds to `into` until it has `perPrior` of them: round r takes each prior's r-th best
 * configuration, mapped by `map`. False, with the list left incomplete, when `map` gives null.
 */
export function extendCandidates(
  encoder: Encoder,
  priors: ProjectedPrior[],
  perPrior: number,
  into: CandidateList,
  map: (p: number, row: number) => Config | null,
): boolean {
  for (let r = into.ends.length; r < perPrior; r++) {
    for (let p = 0; p < priors.length; p++) {
      const prior = priors[p]!;
      if (r >= prior.n) continue;
      const row = prior.order[r]!;
      const config = map(p, row);
      if (config === null) return false;
      const key = configKey(encoder.space, config);
      if (into.seen.has(key)) continue;
      into.seen.add(key);
      into.list.push({ config, key, p, row });
    }
    into.ends.push(into.list.length);
  }
  return true;
}

/** The first `perPrior` rounds of `list`, with their priors. */
export function candidatesOf(list: CandidateList, perPrior: number, priors: ProjectedPrior[]): PortfolioCandidate[] {
  const n = perPrior > 0 ? list.ends[perPrior - 1]! : 0;
  const out: PortfolioCandidate[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = list.list[i]!;
    out[i] = { config: c.config, key: c.key, prior: priors[c.p]!, row: c.row };
  }
  return out;
}

/**
 * One prior's loss at each configuration, in [0, 1], lower is better: Φ of the prior's own copula
 * score where it evaluated the configuration (exact look-up on the shared parameters), of its GP's
 * mean otherwise (0.5 without a model). `model` is asked only when some configuration needs it.
 */
export function priorLosses(encoder: Encoder, prior: ProjectedPrior, configs: readonly Config[], model: () => FitResult | null): Float64Array {
  const D = encoder.dim;
  const out = new Float64Array(configs.length);
  const shared = new Set(prior.shared);
  const missing: number[] = [];
  configs.forEach((c, i) => {
    const v = prior.lookup.get(sharedKey(encoder.space, shared, c));
    if (v === undefined) missing.push(i);
    else out[i] = normCdf(v);
  });
  if (missing.length === 0) return out;
  const fit = model();
  const Q = new Float64Array(missing.length * D);
  missing.forEach((i, q) => encoder.encode(configs[i]!, Q.subarray(q * D, (q + 1) * D)));
  const mu = fit ? priorMeans(fit, Q, missing.length) : null;
  missing.forEach((i, q) => (out[i] = mu ? normCdf(mu[q]!) : 0.5));
  return out;
}

/** Loss matrix (configs × priors, row-major) of priorLosses. `model`: each prior's GP (fitted here by default). */
export function lossMatrix(
  encoder: Encoder,
  configs: readonly Config[],
  priors: ProjectedPrior[],
  model: (prior: ProjectedPrior) => FitResult | null = fitPriorModel,
): Float64Array {
  const P = priors.length;
  const out = new Float64Array(configs.length * P);
  priors.forEach((prior, p) => {
    const losses = priorLosses(encoder, prior, configs, () => model(prior));
    for (let i = 0; i < configs.length; i++) out[i * P + p] = losses[i]!;
  });
  return out;
}

/**
 * The greedy portfolio's steps over one loss matrix (C candidates × P priors, row-major): each
 * `next` gives the open candidate whose addition most reduces the weighted portfolio loss, the
 * lowest index among equal gains, and adds it (`current`, each prior's loss of the set so far, is
 * updated in place; `undo` takes the last addition back).
 *
 * Lazily, as in Minoux's accelerated greedy: a candidate's gain Σ_p w_p·max(0, current_p − v) can
 * only shrink as the set grows, so a gain computed at an earlier step bounds the current one, and a
 * candidate whose fresh gain beats every other bound is the step's answer. A long initial design
 * has thousands of candidates, and scoring each of them at every step of a batch was the largest
 * part of its cost; now each is scored once per call and again only when it comes to the top.
 * Priors weighted 0 add nothing: their columns are not read and their losses in `current` stay as
 * they are. The gains are the same floating-point sums a full scan computes (rounding is monotone,
 * so the bounds hold exactly), and so are the answers.
 */
export class GreedyPortfolio {
  private readonly active: number[];
  /** Candidates still in play, as a binary heap ordered by (bound desc, index asc). */
  private readonly heap: Int32Array;
  private size = 0;
  private readonly bound: Float64Array;
  /** The version of `current` each bound was computed at; equal to `version`: exact. */
  private readonly at: Int32Array;
  private version = 0;
  private readonly before: Float64Array;
  /** The weighted loss reduction of the last candidate `next` gave (0 when it gave none). */
  lastGain = 0;

  /** `open`: whether a candidate may be picked; asked again at each step, and one closed never opens again. */
  constructor(
    private readonly matrix: Float64Array,
    private readonly P: number,
    private readonly weights: ArrayLike<number>,
    readonly current: Float64Array,
    C: number,
    private readonly open: (i: number) => boolean,
  ) {
    this.active = [];
    for (let p = 0; p < P; p++) if (weights[p] !== 0) this.active.push(p);
    this.heap = new Int32Array(C);
    this.bound = new Float64Array(C);
    this.at = new Int32Array(C);
    this.before = new Float64Array(P);
    for (let i = 0; i < C; i++) {
      if (!open(i)) continue;
      this.bound[i] = this.gain(i);
      this.heap[this.size++] = i;
    }
    for (let k = (this.size >> 1) - 1; k >= 0; k--) this.down(k);
  }

  /** The next candidate (−1 when none is open), added to the set. */
  next(): number {
    while (this.size > 0) {
      const i = this.heap[0]!;
      if (!this.open(i)) {
        this.pop();
        continue;
      }
      if (this.at[i] !== this.version) {
        this.bound[i] = this.gain(i);
        this.at[i] = this.version;
        this.down(0);
        continue;
      }
      this.pop();
      this.lastGain = this.bound[i]!;
      this.before.set(this.current);
      const row = i * this.P;
      for (const p of this.active) this.current[p] = Math.min(this.current[p]!, this.matrix[row + p]!);
      this.version++;
      return i;
    }
    this.lastGain = 0;
    return -1;
  }

  /** Takes the last addition out of the set again, right after `next` (the candidate itself stays out). */
  undo(): void {
    this.current.set(this.before);
    // Back to the set the last step's gains were computed at: they are exact again.
    this.version--;
  }

  private gain(i: number): number {
    const row = i * this.P;
    let gain = 0;
    for (const p of this.active) {
      const v = this.matrix[row + p]!;
      if (v < this.current[p]!) gain += this.weights[p]! * (this.current[p]! - v);
    }
    return gain;
  }

  /** Whether heap slot a comes before slot b. */
  private precedes(a: number, b: number): boolean {
    const i = this.heap[a]!;
    const j = this.heap[b]!;
    return this.bound[i]! > this.bound[j]! || (this.bound[i] === this.bound[j] && i < j);
  }

  private pop(): void {
    this.heap[0] = this.heap[--this.size]!;
    this.down(0);
  }

  private down(k: number): void {
    for (;;) {
      const l = 2 * k + 1;
      if (l >= this.size) return;
      const c = l + 1 < this.size && this.precedes(l + 1, l) ? l + 1 : l;
      if (!this.precedes(c, k)) return;
      const t = this.heap[k]!;
      this.heap[k] = this.heap[c]!;
      this.heap[c] = t;
      k = c;
    }
  }
}
