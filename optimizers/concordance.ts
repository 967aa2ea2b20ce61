// The priors' ranking agreement with a target's results, counted on as the results grow: the
// incremental form of rankingAgreements (warmstart/similarity.ts), whose state an experiment's
// TargetMemo keeps from one request to the next. Counts are integers, so every answer equals the
// pure definition bit for bit (fast-check properties in test/optimizers/warmstart.test.ts).
import { agreementOf, columns, rankingAgreements, TargetRanking } from './warmstart/similarity.ts';

/**
 * What concordanceCounts counted: the points (an id per point, with its multiplicity), their y and
 * their P predictions (row-major), and the counts of every prediction column so far.
 */
export type ConcordanceState = { points: Map<string, number>; y: number[]; pred: number[]; agree2: Float64Array; pairs: number };

/**
 * Ranking agreement of P prediction columns with y (n×P, row-major; rankingAgreement of each
 * column), counted from `state` when it counted some of these points already: only the pairs of
 * the new points are visited, O(new × n × P). An initial design asks again after every few results,
 * and a full count at each ask was the largest cost of a long warm initial design. Counts are
 * integers, so the answer equals a full count bit for bit. `ids` name the points (a point counted
 * before keeps its id, y and predictions); the state applies only when every point it counted is
 * among them. Returns the new state, or undefined when a value is not finite (never remembered).
 */
export function concordanceCounts(
  ids: string[],
  y: Float64Array,
  preds: Float64Array,
  P: number,
  state: ConcordanceState | undefined,
): { agreements: Float64Array; state: ConcordanceState | undefined } {
  const n = ids.length;
  if (!preds.every((v) => Number.isFinite(v)) || !y.every((v) => Number.isFinite(v))) return { agreements: rankingAgreements(y, preds, P), state: undefined };
  const fresh = state ? newPoints(ids, state.points) : null;
  // Visiting the new points' pairs beats a full O(n log n) count per column only while they are few.
  if (!state || !fresh || fresh.length * Math.max(state.y.length, 1) > 4 * n * Math.log2(n + 1)) {
    const ranking = new TargetRanking(y);
    const agree2 = new Float64Array(P);
    const all = columns(y, preds, P, (col, p) => {
      const c = ranking.counts(col)!;
      agree2[p] = c.agree2;
      return agreementOf(c.agree2, c.pairs);
    });
    const points = new Map<string, number>();
    for (const id of ids) points.set(id, (points.get(id) ?? 0) + 1);
    return { agreements: all, state: { points, y: Array.from(y), pred: Array.from(preds), agree2, pairs: ranking.pairs } };
  }
  return countOn(state, fresh, ids, y, preds, P);
}

/**
 * concordanceCounts for points the caller knows come after every point `state` counted (the
 * target's results grew at the end): `ids`, `y` and `preds` hold the new points only, so nothing
 * of the counted ones is looked at again. Undefined when a value is not finite, or when visiting
 * the new pairs would cost more than a full count: the caller counts in full then.
 */
export function appendedConcordance(
  ids: string[],
  y: Float64Array,
  preds: Float64Array,
  P: number,
  state: ConcordanceState,
): { agreements: Float64Array; state: ConcordanceState } | undefined {
  const n = state.y.length + ids.length;
  if (!preds.every((v) => Number.isFinite(v)) || !y.every((v) => Number.isFinite(v))) return undefined;
  if (ids.length * Math.max(state.y.length, 1) > 4 * n * Math.log2(n + 1)) return undefined;
  return countOn(
    state,
    ids.map((_, i) => i),
    ids,
    y,
    preds,
    P,
  );
}

/** Adds the pairs of points `fresh` (indices into ids, y and preds) to `state`, and the points. */
function countOn(
  state: ConcordanceState,
  fresh: number[],
  ids: string[],
  y: Float64Array,
  preds: Float64Array,
  P: number,
): { agreements: Float64Array; state: ConcordanceState } {
  const { y: ys, pred, agree2 } = state;
  let { pairs } = state;
  for (const j of fresh) {
    const yj = y[j]!;
    const row = j * P;
    const m = ys.length;
    for (let i = 0; i < m; i++) {
      const dy = yj - ys[i]!;
      if (dy === 0) continue;
      pairs++;
      const at = i * P;
      for (let p = 0; p < P; p++) {
        const dp = preds[row + p]! - pred[at + p]!;
        if (dp === 0) agree2[p]! += 1;
        else if (dp > 0 === dy > 0) agree2[p]! += 2;
      }
    }
    ys.push(yj);
    for (let p = 0; p < P; p++) pred.push(preds[row + p]!);
    state.points.set(ids[j]!, (state.points.get(ids[j]!) ?? 0) + 1);
  }
  state.pairs = pairs;
  return { agreements: agree2.map((a) => agreementOf(a, pairs)), state };
}

/** Indices of `ids` beyond what `counted` holds (multiplicities included), or null when `counted` holds an id more often than `ids`. */
function newPoints(ids: string[], counted: Map<string, number>): number[] | null {
  const seen = new Map<string, number>();
  const fresh: number[] = [];
  ids.forEach((id, i) => {
    const k = (seen.get(id) ?? 0) + 1;
    seen.set(id, k);
    if (k > (counted.get(id) ?? 0)) fresh.push(i);
  });
  for (const [id, k] of counted) if ((seen.get(id) ?? 0) < k) return null;
  return fresh;
}
