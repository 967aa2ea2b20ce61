// Per-prior evidence of relevance to the target, gathered in one place for the warm-start samplers.
import type { MetaFeatures } from '../schema.ts';
import { priorRows, priorsKey, rememberedValues, spaceKey, type ModelCache } from '../cache.ts';
import type { TargetMemo } from '../target-memo.ts';
import type { Encoder } from '../encoding.ts';
import type { TargetData } from '../target.ts';
import type { ProjectedPrior } from './project.ts';
import { priorModel } from './prior-models.ts';
import type { FitResult } from '../models/fit.ts';
import { appendedConcordance, combinedSimilarity, concordanceCounts, metaFeatureSimilarities, rankingAgreements, type ConcordanceState } from './similarity.ts';

export type PriorRelevance = {
  prior: ProjectedPrior;
  meta?: number;
  perf?: number;
  /** Combined similarity; undefined when there is no evidence at all. */
  similarity?: number;
};

/**
 * Performance similarity is measured on the target's first this many completed results (in the
 * request's order) and no more. Ranking agreement over 512 results already compares 130,000 pairs
 * per prior; more results barely move it but cost every ask O(new results × n × priors) pairs and
 * the priors' means at each new configuration, so a long initial design on one experiment got
 * slower with every result. With a bounded set, the similarities stop changing once it is full.
 */
export const MAX_SIMILARITY_RESULTS = 512;

/** The encodings of the target's completed results `from`…`n` (imputed failures excluded: they carry no ranking signal). */
function completedRows(target: TargetData, n: number, D: number, from = 0): { X: Float64Array; n: number } {
  const X = new Float64Array((n - from) * D);
  for (let i = from; i < n; i++) {
    const r = target.completed[i]!;
    X.set(target.X.subarray(r * D, (r + 1) * D), (i - from) * D);
  }
  return { X, n: n - from };
}

/**
 * Prior model means at the target's completed configurations (aligned with `rows`). With a cache
 * they are remembered per prior fit, target space and configuration, like the portfolio's losses: an
 * initial design asks again after every result, and only the new results need the prior's model;
 * RGPE's weights (samplers/gp.ts) ask for them at a new subset of the results at every step.
 * `model`: the prior's fit when the caller has it.
 */
export function meansAtTarget(
  prior: ProjectedPrior,
  rows: { X: Float64Array; n: number },
  keys: string[],
  D: number,
  space: string,
  cache: ModelCache | undefined,
  model: () => FitResult | null = () => priorModel(prior, cache),
): Float64Array | null {
  const memo = rememberedValues(cache, `means:${prior.hash}:${space}`);
  const out = new Float64Array(rows.n);
  const missing: number[] = [];
  keys.forEach((k, i) => {
    const v = memo.get(k);
    if (v === undefined) missing.push(i);
    else out[i] = v;
  });
  if (missing.length === 0) return out;
  const fit = model();
  if (!fit) return null;
  const Q = new Float64Array(missing.length * D);
  missing.forEach((i, r) => Q.set(rows.X.subarray(i * D, (i + 1) * D), r * D));
  const mu = fit.gp.predict(Q, missing.length, false).mean;
  missing.forEach((i, r) => memo.set(keys[i]!, (out[i] = mu[r]!)));
  return out;
}

/**
 * meansAtTarget for every prior at once: n×P, row-major; `fitted[p]` is false for a prior without a
 * model. With a cache, each configuration's row is also remembered for this ordered set of priors,
 * so a request costs one look-up per result instead of one per result and prior.
 */
function meansOfPriors(
  priors: ProjectedPrior[],
  rows: { X: Float64Array; n: number },
  keys: string[],
  D: number,
  space: string,
  cache: ModelCache | undefined,
): { means: Float64Array; fitted: boolean[] } {
  const P = priors.length;
  const fitted = priors.map(() => true);
  const means = priorRows(cache, `mean-rows:${space}:${priorsKey(priors)}`, keys, P, (todo, out) => {
    const X = new Float64Array(todo.length * D);
    todo.forEach((i, r) => X.set(rows.X.subarray(i * D, (i + 1) * D), r * D));
    const sub = { X, n: todo.length };
    const subKeys = todo.map((i) => keys[i]!);
    priors.forEach((prior, p) => {
      const mu = meansAtTarget(prior, sub, subKeys, D, space, cache);
      if (mu) todo.forEach((i, r) => (out[i * P + p] = mu[r]!));
      else fitted[p] = false;
    });
    // Rows are whole only when every prior has a model (one without is asked again next time, as before).
    return fitted.every(Boolean);
  });
  return { means, fitted };
}

/** A counted point's name: its configuration and value. */
const pointId = (key: string, y: number): string => `${key}\u0000${y}`;

/** Counted points beyond this many are not remembered (the state holds P numbers per point). */
const MAX_CONCORDANCE_NUMBERS = 2_000_000;

/**
 * Each prior's ranking agreement with the target's results (meaningless for a prior without a
 * model, whose column is left at 0; the caller skips those). With the target's memo, counted on
 * from the last call (see concordanceCounts): a point is a result (its configuration key and
 * value), and its predictions are the priors' means there, a function of the key for this ordered
 * set of priors (a prior without a model has none at any call).
 */
function agreementsOf(means: Float64Array, y: Float64Array, keys: string[], P: number, key: string, targetMemo: TargetMemo | undefined): Float64Array {
  if (!targetMemo) return rankingAgreements(y, means, P);
  const ids = keys.map((k, i) => pointId(k, y[i]!));
  const { agreements, state } = concordanceCounts(ids, y, means, P, targetMemo.get('concordance', key));
  keepCount(targetMemo, key, state);
  return agreements;
}

/** Keeps the counted state in the target's memo (none when too large or absent: counted afresh next time). */
function keepCount(targetMemo: TargetMemo, key: string, state: ConcordanceState | undefined): void {
  targetMemo.set('concordance', key, state && state.pred.length <= MAX_CONCORDANCE_NUMBERS ? state : undefined);
}

/**
 * Each prior's ranking agreement with the target's first results, and whether it has a model (see
 * agreementsOf). With the target's memo, the answer is kept with the results it was measured on
 * and given again while they are the same: once the first MAX_SIMILARITY_RESULTS results are in,
 * every later ask of a long initial design measured the same agreements again, at the cost of
 * assembling the priors' means and comparing all counted points.
 */
function agreementsWith(
  target: TargetData,
  priors: ProjectedPrior[],
  encoder: Encoder,
  space: string,
  cache: ModelCache | undefined,
  targetMemo: TargetMemo | undefined,
): { fitted: boolean[]; agreements: Float64Array } {
  const n = Math.min(target.completed.length, MAX_SIMILARITY_RESULTS);
  const keys = target.completedKeys.slice(0, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = target.y[target.completed[i]!]!;
  // The agreements and the count they come from are of the same inputs, so they share a key.
  const key = `${space}:${priorsKey(priors)}`;
  const hit = targetMemo?.get('agreements', key);
  // How many of these results, from the first, are the ones the kept answer was measured on.
  let m = 0;
  if (hit && hit.keys.length <= n) while (m < hit.keys.length && hit.keys[m] === keys[m] && Object.is(hit.y[m], y[m])) m++;
  if (hit && m === n && hit.keys.length === n) return hit;
  const D = encoder.dim;
  const P = priors.length;
  let found: { fitted: boolean[]; agreements: Float64Array } | undefined;
  const counted = targetMemo?.get('concordance', key);
  if (hit && m === hit.keys.length && m < n && counted && counted.y.length === m) {
    // Results added after the ones counted (the usual way a design grows): the priors' means are
    // needed at the new ones only, and their pairs are counted on (see appendedConcordance).
    const newKeys = keys.slice(m);
    const { means, fitted } = meansOfPriors(priors, completedRows(target, n, D, m), newKeys, D, space, cache);
    const ids = newKeys.map((k, i) => pointId(k, y[m + i]!));
    const on = appendedConcordance(ids, y.subarray(m), means, P, counted);
    if (on) {
      keepCount(targetMemo!, key, on.state);
      found = { fitted, agreements: on.agreements };
    }
  }
  if (!found) {
    const { means, fitted } = meansOfPriors(priors, completedRows(target, n, D), keys, D, space, cache);
    found = { fitted, agreements: agreementsOf(means, y, keys, P, key, targetMemo) };
  }
  targetMemo?.set('agreements', key, { keys, y, ...found });
  return found;
}

export function priorRelevance(args: {
  priors: ProjectedPrior[];
  target: TargetData;
  encoder: Encoder;
  metaFeatures: MetaFeatures | undefined;
  minTarget: number;
  cache: ModelCache | undefined;
  /** The target's own memo (see SuggestOptions.targetMemo): the agreements are counted on from the last call. */
  targetMemo?: TargetMemo | undefined;
}): PriorRelevance[] {
  const meta = metaFeatureSimilarities(
    args.metaFeatures ?? undefined,
    args.priors.map((p) => ({ id: p.id, metaFeatures: p.prior.metaFeatures })),
  );
  const usePerf = Math.min(args.target.completed.length, MAX_SIMILARITY_RESULTS) >= args.minTarget;
  const space = usePerf ? spaceKey(args.encoder.space) : '';
  const perfs = usePerf ? agreementsWith(args.target, args.priors, args.encoder, space, args.cache, args.targetMemo) : null;
  return args.priors.map((prior, p) => {
    const m = meta.get(prior.id)?.similarity;
    let perf: number | undefined;
    if (perfs?.fitted[p]) {
      const a = perfs.agreements[p]!;
      if (Number.isFinite(a)) perf = a;
    }
    const out: PriorRelevance = { prior };
    if (m !== undefined) out.meta = m;
    if (perf !== undefined) out.perf = perf;
    const s = combinedSimilarity(m, perf);
    if (s !== undefined) out.similarity = s;
    return out;
  });
}
