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
import type { Config } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import { priorRows, priorsKey, rememberedValues, spaceKey, type CandidateList as KeptList, type ModelCache } from '../cache.ts';
import type { TargetMemo, TriedLosses } from '../target-memo.ts';
import { normCdf } from '../math/normal.ts';
import { configKey } from '../space.ts';
import { mapConfig, sharedKey, type ProjectedPrior } from './project.ts';
import { priorModel } from './prior-models.ts';

export type PortfolioCandidate = { config: Config; key: string; prior: ProjectedPrior; row: number };

/**
 * Round r takes each prior's r-th best configuration (the first occurrence of a configuration wins).
 * With a cache, the list is kept and extended round by round as long as no candidate needs a fill
 * value (a parameter the prior lacks): such a list is the same at every request, and a long initial
 * design asks for it again, one round longer, after every few results.
 */
export function portfolioCandidates(
  encoder: Encoder,
  priors: ProjectedPrior[],
  perPrior: number,
  fill: (slot: number) => ArrayLike<number>,
  cache?: ModelCache,
): PortfolioCandidate[] {
  const shared = priors.map((p) => new Set(p.shared));
  const kept = cache ? keptCandidates(encoder, priors, perPrior, shared, cache) : null;
  if (kept) return candidatesOf(kept, perPrior, priors);
  const list: CandidateList = { list: [], ends: [], seen: new Set() };
  let slot = 0;
  addRounds(encoder, priors, perPrior, list, (p, row) => mapConfig(encoder, shared[p]!, priors[p]!.configs[row]!, fill(slot++)));
  return candidatesOf(list, perPrior, priors);
}

type CandidateList = Pick<KeptList, 'list' | 'ends' | 'seen'>;

/**
 * Adds rounds to `into` until it has `perPrior` of them: round r takes each prior's r-th best
 * configuration, mapped by `map`. False, with the list left incomplete, when `map` gives null.
 */
function addRounds(encoder: Encoder, priors: ProjectedPrior[], perPrior: number, into: CandidateList, map: (p: number, row: number) => Config | null): boolean {
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
function candidatesOf(list: CandidateList, perPrior: number, priors: ProjectedPrior[]): PortfolioCandidate[] {
  const n = perPrior > 0 ? list.ends[perPrior - 1]! : 0;
  const out: PortfolioCandidate[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = list.list[i]!;
    out[i] = { config: c.config, key: c.key, prior: priors[c.p]!, row: c.row };
  }
  return out;
}

/** The kept candidate list (see portfolioCandidates), extended as needed, or null when some candidate needs a fill value. */
function keptCandidates(encoder: Encoder, priors: ProjectedPrior[], perPrior: number, shared: Set<string>[], cache: ModelCache): CandidateList | null {
  const key = `${spaceKey(encoder.space)}:${priorsKey(priors)}`;
  const hit = cache.candidates.get(key);
  if (hit?.needsFill) return null;
  const entry: KeptList = hit ?? { list: [], ends: [], seen: new Set(), needsFill: false };
  if (!addRounds(encoder, priors, perPrior, entry, (p, row) => mapConfig(encoder, shared[p]!, priors[p]!.configs[row]!, null))) {
    cache.candidates.set(key, { list: [], ends: [], seen: new Set(), needsFill: true });
    return null;
  }
  cache.candidates.set(key, entry);
  return entry;
}

/**
 * One prior's losses at `rows` of `configs` (keys aligned), written to `out` at `at(r)` for the r-th
 * of them: the prior's own result where it evaluated the configuration, its GP's mean otherwise.
 * With a cache, each loss is remembered by configuration key for this prior and target space (for
 * other sets of priors sharing the prior), and a remembered loss equals a recomputed one.
 */
function priorLosses(
  encoder: Encoder,
  prior: ProjectedPrior,
  configs: Config[],
  keys: string[],
  rows: number[],
  space: string,
  cache: ModelCache | undefined,
  out: Float64Array,
  at: (r: number) => number,
): void {
  const D = encoder.dim;
  const memo = rememberedValues(cache, `losses:${prior.hash}:${space}`);
  const shared = new Set(prior.shared);
  const missing: number[] = [];
  rows.forEach((i, r) => {
    const known = memo.get(keys[i]!);
    const v = known === undefined ? prior.lookup.get(sharedKey(encoder.space, shared, configs[i]!)) : undefined;
    if (known !== undefined) out[at(r)] = known;
    else if (v === undefined) missing.push(r);
    else memo.set(keys[i]!, (out[at(r)] = normCdf(v)));
  });
  if (missing.length === 0) return;
  const fit = priorModel(prior, cache);
  const Q = new Float64Array(missing.length * D);
  missing.forEach((r, q) => encoder.encode(configs[rows[r]!]!, Q.subarray(q * D, (q + 1) * D)));
  const mu = fit ? fit.gp.predict(Q, missing.length, false).mean : new Float64Array(missing.length);
  missing.forEach((r, q) => {
    memo.set(keys[rows[r]!]!, (out[at(r)] = fit ? normCdf(mu[q]!) : 0.5));
  });
}

/**
 * Loss matrix (configs × priors, row-major), each entry in [0, 1], lower is better. With a cache,
 * each configuration's row is remembered for this ordered set of priors, and each prior's losses by
 * configuration key (see priorLosses): a long initial design asks for the same tried configs
 * again at every step. `keys`: the configurations' keys, when the caller has them.
 */
export function lossMatrix(
  encoder: Encoder,
  configs: Config[],
  priors: ProjectedPrior[],
  cache: ModelCache | undefined,
  keys?: string[],
  rememberRows = true,
): Float64Array {
  const P = priors.length;
  const ks = keys ?? configs.map((c) => configKey(encoder.space, c));
  const space = spaceKey(encoder.space);
  return priorRows(
    cache,
    `loss-rows:${space}:${priorsKey(priors)}`,
    ks,
    P,
    (todo, out) => {
      priors.forEach((prior, p) => priorLosses(encoder, prior, configs, ks, todo, space, cache, out, (r) => todo[r]! * P + p));
      return true;
    },
    rememberRows,
  );
}

/** Kept candidates beyond this many are given a loss matrix per request (see candidateLosses). */
const MAX_KEPT_LOSS_ROWS = 10_000;

/**
 * lossMatrix of portfolioCandidates' list, where only the columns of priors with a weight are
 * read (`weights`; the others may hold anything). A kept list (see portfolioCandidates) keeps its
 * matrix and extends it as the list grows, column by column as they are asked for: a long initial
 * design asks for nearly the same candidates after every result, and once the target has results
 * only the priors that rank them best carry weight, so a new round of candidates needs their
 * losses on those priors alone (each of the others' is a GP prediction). The kept entries are the
 * same numbers lossMatrix gives.
 */
export function candidateLosses(
  encoder: Encoder,
  cands: PortfolioCandidate[],
  priors: ProjectedPrior[],
  cache: ModelCache | undefined,
  weights: ArrayLike<number>,
): Float64Array {
  const P = priors.length;
  const C = cands.length;
  const all = () =>
    lossMatrix(
      encoder,
      cands.map((c) => c.config),
      priors,
      cache,
      cands.map((c) => c.key),
    );
  const entry = cache?.candidates.get(`${spaceKey(encoder.space)}:${priorsKey(priors)}`);
  // Kept candidates are the list's first C, in order (candidatesOf); anything else is computed as before.
  if (!entry || entry.needsFill || C === 0 || C > MAX_KEPT_LOSS_ROWS || entry.list[C - 1]?.key !== cands[C - 1]!.key) return all();
  let kept = entry.losses ?? new Float64Array(0);
  if (kept.length < C * P) {
    const grown = new Float64Array(Math.min(Math.max(C * P, 2 * kept.length), MAX_KEPT_LOSS_ROWS * P));
    grown.set(kept);
    kept = grown;
  }
  entry.losses = kept;
  const filled = (entry.filled ??= new Int32Array(P));
  const space = spaceKey(encoder.space);
  let configs: Config[] | undefined;
  let keys: string[] | undefined;
  for (let p = 0; p < P; p++) {
    if (weights[p] === 0 || filled[p]! >= C) continue;
    configs ??= cands.map((c) => c.config);
    keys ??= cands.map((c) => c.key);
    const from = filled[p]!;
    const rows = Array.from({ length: C - from }, (_, r) => from + r);
    priorLosses(encoder, priors[p]!, configs, keys, rows, space, cache, kept, (r) => (from + r) * P + p);
    filled[p] = C;
  }
  return kept.subarray(0, C * P);
}

/**
 * Each prior's lowest loss over the configurations the target tried (1 where none). With the
 * target's memo it is carried on from the last request while every configuration counted then is
 * still tried (a minimum cannot take one out): only the new ones are looked up. The same numbers
 * in any order, since a minimum does not depend on it.
 *
 * `weights`: only the columns of priors with a weight are brought up to date (the others may hold
 * anything, as in candidateLosses; the greedy never reads them). Each kept column remembers how many
 * of the tried configurations it has counted, and one that gains weight later counts the rest then:
 * a long initial design weights a quarter of the priors, and every other prior's loss at a new
 * tried configuration is a GP prediction nobody reads.
 */
export function triedLosses(
  encoder: Encoder,
  tried: { config: Config; key: string }[],
  priors: ProjectedPrior[],
  cache: ModelCache | undefined,
  targetMemo: TargetMemo | undefined,
  weights?: ArrayLike<number>,
): Float64Array {
  const P = priors.length;
  const space = spaceKey(encoder.space);
  const key = `${space}:${priorsKey(priors)}`;
  const keys = new Set(tried.map((t) => t.key));
  let last = targetMemo?.get('triedLosses', key);
  if (last)
    for (const k of last.keys)
      if (!keys.has(k)) {
        last = undefined;
        break;
      }
  const state: TriedLosses = last
    ? { keys, counted: last.counted, mins: last.mins, tried: last.tried.concat(tried.filter((t) => !last.keys.has(t.key))) }
    : { keys, counted: new Int32Array(P), mins: new Float64Array(P).fill(1), tried };
  const T = state.tried.length;
  const due = (p: number) => state.counted[p]! < T && !(weights && weights[p] === 0);
  // Only the configurations some due column has not counted are listed (priorLosses indexes by row).
  let lo = T;
  for (let p = 0; p < P; p++) if (due(p)) lo = Math.min(lo, state.counted[p]!);
  const todo = state.tried.slice(lo);
  const configs = todo.map((t) => t.config);
  const ks = todo.map((t) => t.key);
  for (let p = 0; p < P; p++) {
    if (!due(p)) continue;
    const from = state.counted[p]! - lo;
    const rows = Array.from({ length: todo.length - from }, (_, r) => from + r);
    const losses = new Float64Array(rows.length);
    priorLosses(encoder, priors[p]!, configs, ks, rows, space, cache, losses, (r) => r);
    let min = state.mins[p]!;
    for (const v of losses) min = Math.min(min, v);
    state.mins[p] = min;
    state.counted[p] = T;
  }
  targetMemo?.set('triedLosses', key, state);
  // A copy: the greedy lowers its entries as it adds candidates.
  return Float64Array.from(state.mins);
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
