// What the prior experiments say about one request's target: the priors' projections and GPs, their
// losses and means at configurations, the greedy portfolio's candidates and the priors' ranking
// agreement with the target's results. The one place that consults the caller's memos: the shared
// ModelCache (entries by prior version and target space) and the experiment's TargetMemo (work
// carried on from its last request). The algorithms are the pure functions in warmstart/; without
// memos every answer is theirs, and with memos every answer equals it (a memo is a shortcut only),
// which test/optimizers/experiment-optimizer.test.ts checks against cold builds.
import type { Config, PriorExperiment } from './schema.ts';
import type { Encoder } from './encoding.ts';
import type { FitResult } from './models/fit.ts';
import type { TargetData } from './target.ts';
import type { TargetMemo, TriedLosses } from './target-memo.ts';
import { type KeptCandidates, type Lru, type ModelCache, priorsKey, spaceKey } from './cache.ts';
import { fnv1a } from './random.ts';
import { projectPrior, type ProjectOptions, type ProjectedPrior } from './warmstart/project.ts';
import { fitPriorModel, priorMeans } from './warmstart/prior-models.ts';
import { candidatesOf, extendCandidates, type CandidateList, type PortfolioCandidate, portfolioCandidates, priorLosses } from './warmstart/portfolio.ts';
import { mapConfig } from './warmstart/project.ts';
import { type Agreements, completedRows, similarityResults } from './warmstart/relevance.ts';
import { rankingAgreements } from './warmstart/similarity.ts';
import { appendedConcordance, type ConcordanceState, concordanceCounts } from './concordance.ts';

/** Remembered values per entry: beyond this many the memo starts over (it is only a shortcut). */
const MAX_REMEMBERED_VALUES = 100_000;
/** Rows hold a number per prior: fewer of them fit in the memory MAX_REMEMBERED_VALUES numbers take. */
const MAX_REMEMBERED_ROWS = 10_000;
/** Kept candidates beyond this many are given a loss matrix per request (see candidateLosses). */
const MAX_KEPT_LOSS_ROWS = 10_000;
/** Counted points beyond this many are not remembered (the state holds P numbers per point). */
const MAX_CONCORDANCE_NUMBERS = 2_000_000;

/** A counted point's name: its configuration and value. */
const pointId = (key: string, y: number): string => `${key}\u0000${y}`;

function remembered<V>(memos: Lru<string, Map<string, V>>, key: string, max: number): Map<string, V> {
  const hit = memos.get(key);
  if (hit && hit.size < max) return hit;
  const values = new Map<string, V>();
  memos.set(key, values);
  return values;
}

export class PriorEvidence {
  private readonly space: string;
  /** Prior GPs fitted in this request when there is no cache to keep them in. */
  private readonly fits = new Map<string, FitResult | null>();

  constructor(
    private readonly encoder: Encoder,
    private readonly cache?: ModelCache,
    private readonly targetMemo?: TargetMemo,
  ) {
    this.space = spaceKey(encoder.space);
  }

  /**
   * The prior projected onto the target space (projectPrior). A projection is a function of the
   * target space, the options and the prior's id, direction, space and observations; all of them,
   * as JSON text, are kept with the entry and must match for a hit (the prior's other fields are
   * taken from the request). Projecting dozens of priors of 100 results costs more than the rest
   * of a warm-started suggestion's set-up; the text costs a tenth of that.
   */
  projection(prior: PriorExperiment, opts: ProjectOptions): ProjectedPrior | null {
    const { encoder, cache } = this;
    if (!cache) return projectPrior(encoder, prior, opts);
    const source = JSON.stringify([encoder.space, opts.maxObservations, prior.id, prior.direction, prior.space, prior.observations]);
    const key = `${prior.id}:${fnv1a(source).toString(16)}:${source.length}`;
    const hit = cache.projections.get(key);
    if (hit?.source === source) return { ...hit.projection, prior };
    const projection = projectPrior(encoder, prior, opts);
    // Null (nothing shared) is cheap to find again and is not kept.
    if (projection) cache.projections.set(key, { source, projection });
    return projection;
  }

  /** The prior's GP (fitPriorModel), fitted once per prior version (once per request without a cache). */
  model(prior: ProjectedPrior): FitResult | null {
    const cache = this.cache;
    if (!cache) {
      if (!this.fits.has(prior.hash)) this.fits.set(prior.hash, fitPriorModel(prior));
      return this.fits.get(prior.hash)!;
    }
    const hit = cache.fits.get(prior.hash);
    if (hit) return hit;
    const fit = fitPriorModel(prior);
    if (fit) cache.fits.set(prior.hash, fit);
    return fit;
  }

  /**
   * The greedy portfolio's candidates (portfolioCandidates). The list is kept and extended round by
   * round as long as no candidate needs a fill value (a parameter the prior lacks): such a list is
   * the same at every request, and a long initial design asks for it again, one round longer,
   * after every few results.
   */
  candidates(priors: ProjectedPrior[], perPrior: number, fill: (slot: number) => ArrayLike<number>): PortfolioCandidate[] {
    const kept = this.keptCandidates(priors, perPrior);
    return kept ? candidatesOf(kept, perPrior, priors) : portfolioCandidates(this.encoder, priors, perPrior, fill);
  }

  /** Loss matrix (lossMatrix), each prior's losses remembered by configuration key and each row for this ordered set of priors. */
  lossMatrix(configs: Config[], priors: ProjectedPrior[], keys: string[]): Float64Array {
    const P = priors.length;
    return this.priorRows('loss-rows', priors, keys, (todo, out) => {
      priors.forEach((prior, p) => this.lossesAt(prior, configs, keys, todo, out, (r) => todo[r]! * P + p));
      return true;
    });
  }

  /**
   * lossMatrix of the candidates, where only the columns of priors with a weight are read
   * (`weights`; the others may hold anything). A kept list (see candidates) keeps its matrix and
   * extends it as the list grows, column by column as they are asked for: a long initial design
   * asks for nearly the same candidates after every result, and once the target has results only
   * the priors that rank them best carry weight, so a new round of candidates needs their losses on
   * those priors alone (each of the others' is a GP prediction).
   */
  candidateLosses(cands: PortfolioCandidate[], priors: ProjectedPrior[], weights: ArrayLike<number>): Float64Array {
    const P = priors.length;
    const C = cands.length;
    const configs = cands.map((c) => c.config);
    const keys = cands.map((c) => c.key);
    const entry = this.cache?.candidates.get(`${this.space}:${priorsKey(priors)}`);
    // Kept candidates are the list's first C, in order (candidatesOf); anything else is computed afresh.
    if (!entry || entry.needsFill || C === 0 || C > MAX_KEPT_LOSS_ROWS || entry.list[C - 1]?.key !== cands[C - 1]!.key)
      return this.lossMatrix(configs, priors, keys);
    let kept = entry.losses ?? new Float64Array(0);
    if (kept.length < C * P) {
      const grown = new Float64Array(Math.min(Math.max(C * P, 2 * kept.length), MAX_KEPT_LOSS_ROWS * P));
      grown.set(kept);
      kept = grown;
    }
    entry.losses = kept;
    const filled = (entry.filled ??= new Int32Array(P));
    for (let p = 0; p < P; p++) {
      if (weights[p] === 0 || filled[p]! >= C) continue;
      const from = filled[p]!;
      const rows = Array.from({ length: C - from }, (_, r) => from + r);
      this.lossesAt(priors[p]!, configs, keys, rows, kept, (r) => (from + r) * P + p);
      filled[p] = C;
    }
    return kept.subarray(0, C * P);
  }

  /**
   * Each prior's lowest loss over the configurations the target tried (1 where none). With the
   * target's memo it is carried on from the last request while every
   * configuration counted then is still tried (a minimum cannot take one out): only the new ones are
   * looked up. The same numbers in any order, since a minimum does not depend on it.
   *
   * `weights`: only the columns of priors with a weight are brought up to date (the others may hold
   * anything, as in candidateLosses; the greedy never reads them). Each kept column remembers how
   * many of the tried configurations it has counted, and one that gains weight later counts the
   * rest then: a long initial design weights a quarter of the priors, and every other prior's loss
   * at a new tried configuration is a GP prediction nobody reads.
   */
  triedLosses(tried: { config: Config; key: string }[], priors: ProjectedPrior[], weights?: ArrayLike<number>): Float64Array {
    const P = priors.length;
    const memo = this.targetMemo;
    const key = `${this.space}:${priorsKey(priors)}`;
    const keys = new Set(tried.map((t) => t.key));
    let last = memo?.get('triedLosses', key);
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
    // Only the configurations some due column has not counted are listed (lossesAt indexes by row).
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
      this.lossesAt(priors[p]!, configs, ks, rows, losses, (r) => r);
      let min = state.mins[p]!;
      for (const v of losses) min = Math.min(min, v);
      state.mins[p] = min;
      state.counted[p] = T;
    }
    memo?.set('triedLosses', key, state);
    // A copy: the greedy lowers its entries as it adds candidates.
    return Float64Array.from(state.mins);
  }

  /**
   * The prior's GP means at encoded target configurations (`rows`, keys aligned), null without a
   * model. Remembered per prior version, target space and configuration, like the losses: an
   * initial design asks again after every result, and only the new results need the prior's model;
   * RGPE's weights (samplers/gp.ts) ask for them at a new subset of the results at every step.
   */
  meansAt(prior: ProjectedPrior, rows: { X: Float64Array; n: number }, keys: string[]): Float64Array | null {
    const memo = this.cache ? remembered(this.cache.values, `means:${prior.hash}:${this.space}`, MAX_REMEMBERED_VALUES) : new Map<string, number>();
    const D = this.encoder.dim;
    const out = new Float64Array(rows.n);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const v = memo.get(k);
      if (v === undefined) missing.push(i);
      else out[i] = v;
    });
    if (missing.length === 0) return out;
    const fit = this.model(prior);
    if (!fit) return null;
    const Q = new Float64Array(missing.length * D);
    missing.forEach((i, r) => Q.set(rows.X.subarray(i * D, (i + 1) * D), r * D));
    const mu = priorMeans(fit, Q, missing.length);
    missing.forEach((i, r) => memo.set(keys[i]!, (out[i] = mu[r]!)));
    return out;
  }

  /**
   * Each prior's ranking agreement with the target's first results (similarityResults) and whether
   * it has a model. With the target's memo, the answer is kept with the results it was measured on
   * and given again while they are the same (once the first MAX_SIMILARITY_RESULTS results are in,
   * every later ask of a long initial design would measure the same agreements again), and results
   * added after the counted ones are counted on (appendedConcordance).
   */
  agreements(target: TargetData, priors: ProjectedPrior[]): Agreements {
    const { n, keys, y } = similarityResults(target);
    const D = this.encoder.dim;
    const P = priors.length;
    const memo = this.targetMemo;
    // The agreements and the count they come from are of the same inputs, so they share a key.
    const key = `${this.space}:${priorsKey(priors)}`;
    const hit = memo?.get('agreements', key);
    // How many of these results, from the first, are the ones the kept answer was measured on.
    let m = 0;
    if (hit && hit.keys.length <= n) while (m < hit.keys.length && hit.keys[m] === keys[m] && Object.is(hit.y[m], y[m])) m++;
    if (hit && m === n && hit.keys.length === n) return hit;
    let found: Agreements | undefined;
    const counted = memo?.get('concordance', key);
    if (memo && hit && m === hit.keys.length && m < n && counted && counted.y.length === m) {
      // Results added after the ones counted (the usual way a design grows): the priors' means are
      // needed at the new ones only, and their pairs are counted on.
      const newKeys = keys.slice(m);
      const { means, fitted } = this.meansOfPriors(priors, completedRows(target, n, D, m), newKeys);
      const ids = newKeys.map((k, i) => pointId(k, y[m + i]!));
      const on = appendedConcordance(ids, y.subarray(m), means, P, counted);
      if (on) {
        this.keepCount(memo, key, on.state);
        found = { fitted, agreements: on.agreements };
      }
    }
    if (!found) {
      const { means, fitted } = this.meansOfPriors(priors, completedRows(target, n, D), keys);
      let agreements: Float64Array;
      if (memo) {
        // A point is a result (its key and value); its predictions are the priors' means there, a
        // function of the key for this ordered set of priors.
        const ids = keys.map((k, i) => pointId(k, y[i]!));
        const counts = concordanceCounts(ids, y, means, P, memo.get('concordance', key));
        this.keepCount(memo, key, counts.state);
        agreements = counts.agreements;
      } else agreements = rankingAgreements(y, means, P);
      found = { fitted, agreements };
    }
    memo?.set('agreements', key, { keys, y, ...found });
    return found;
  }

  /** One prior's losses at `rows` of `configs` (keys aligned), written to `out` at `at(r)`: remembered by configuration key for this prior and target space. */
  private lossesAt(prior: ProjectedPrior, configs: Config[], keys: string[], rows: number[], out: Float64Array, at: (r: number) => number): void {
    const memo = this.cache ? remembered(this.cache.values, `losses:${prior.hash}:${this.space}`, MAX_REMEMBERED_VALUES) : undefined;
    const missing: number[] = [];
    rows.forEach((i, r) => {
      const known = memo?.get(keys[i]!);
      if (known === undefined) missing.push(r);
      else out[at(r)] = known;
    });
    if (missing.length === 0) return;
    const losses = priorLosses(
      this.encoder,
      prior,
      missing.map((r) => configs[rows[r]!]!),
      () => this.model(prior),
    );
    missing.forEach((r, q) => {
      out[at(r)] = losses[q]!;
      memo?.set(keys[rows[r]!]!, losses[q]!);
    });
  }

  /**
   * meansAt for every prior at once: n×P, row-major; `fitted[p]` is false for a prior without a
   * model (its column left at 0). Each configuration's row is also remembered for this ordered set
   * of priors, once every prior has a model, so a request costs one look-up per result.
   */
  private meansOfPriors(priors: ProjectedPrior[], rows: { X: Float64Array; n: number }, keys: string[]): { means: Float64Array; fitted: boolean[] } {
    const P = priors.length;
    const D = this.encoder.dim;
    const fitted = priors.map(() => true);
    const means = this.priorRows('mean-rows', priors, keys, (todo, out) => {
      const X = new Float64Array(todo.length * D);
      todo.forEach((i, r) => X.set(rows.X.subarray(i * D, (i + 1) * D), r * D));
      const sub = { X, n: todo.length };
      const subKeys = todo.map((i) => keys[i]!);
      priors.forEach((prior, p) => {
        const mu = this.meansAt(prior, sub, subKeys);
        if (mu) todo.forEach((i, r) => (out[i * P + p] = mu[r]!));
        else fitted[p] = false;
      });
      // Rows are whole only when every prior has a model (one without is asked again next time).
      return fitted.every(Boolean);
    });
    return { means, fitted };
  }

  /**
   * One number per prior for each configuration (configurations × priors, row-major), for this
   * ordered set of priors: rows the cache holds under `kind` are copied in, `compute` fills the
   * others (given their indices) and says whether they are whole, and whole rows are kept.
   */
  private priorRows(
    kind: 'loss-rows' | 'mean-rows',
    priors: ProjectedPrior[],
    keys: string[],
    compute: (todo: number[], out: Float64Array) => boolean,
  ): Float64Array {
    const P = priors.length;
    const out = new Float64Array(keys.length * P);
    const kept = this.cache ? remembered(this.cache.rows, `${kind}:${this.space}:${priorsKey(priors)}`, MAX_REMEMBERED_ROWS) : undefined;
    const todo: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const row = kept?.get(keys[i]!);
      if (row) out.set(row, i * P);
      else todo.push(i);
    }
    if (todo.length > 0 && compute(todo, out) && kept) for (const i of todo) kept.set(keys[i]!, out.slice(i * P, (i + 1) * P));
    return out;
  }

  /** The kept candidate list, extended to `perPrior` rounds, or null when some candidate needs a fill value (or there is no cache). */
  private keptCandidates(priors: ProjectedPrior[], perPrior: number): CandidateList | null {
    const cache = this.cache;
    if (!cache) return null;
    const key = `${this.space}:${priorsKey(priors)}`;
    const hit = cache.candidates.get(key);
    if (hit?.needsFill) return null;
    const entry: KeptCandidates = hit ?? { list: [], ends: [], seen: new Set(), needsFill: false };
    const shared = priors.map((p) => new Set(p.shared));
    if (!extendCandidates(this.encoder, priors, perPrior, entry, (p, row) => mapConfig(this.encoder, shared[p]!, priors[p]!.configs[row]!, null))) {
      cache.candidates.set(key, { list: [], ends: [], seen: new Set(), needsFill: true });
      return null;
    }
    cache.candidates.set(key, entry);
    return entry;
  }

  /** Keeps the counted state in the target's memo (none when too large: counted afresh next time). */
  private keepCount(memo: TargetMemo, key: string, state: ConcordanceState | undefined): void {
    memo.set('concordance', key, state && state.pred.length <= MAX_CONCORDANCE_NUMBERS ? state : undefined);
  }
}
