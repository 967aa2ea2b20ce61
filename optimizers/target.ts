// The target experiment's history turned into model inputs (minimisation orientation, encoded configs).
import type { Direction, Observation } from './schema.ts';
import type { Encoder } from './encoding.ts';
import { configKey, validateConfig } from './space.ts';
import { spaceKey, type ConfigMemo, type EncodedConfig } from './cache.ts';
import type { TargetMemo } from './target-memo.ts';

export type TargetData = {
  /** Completed (and imputed failed) trials, n×D encoded. */
  X: Float64Array;
  n: number;
  /** Minimisation-oriented raw values aligned with X (failed trials imputed with the worst value). */
  y: Float64Array;
  /** Rows of X that are real completed results (not imputed failures). */
  completed: number[];
  /** Canonical config keys aligned with `completed`. */
  completedKeys: string[];
  pendingX: Float64Array[];
  /**
   * The config memo's entries of the rows of X, then of pendingX (undefined without a memo): where
   * per-configuration work that depends only on the encoding is remembered between calls.
   */
  rowMemos: (EncodedConfig | undefined)[];
  /** Canonical keys of every observation, whatever its state: never suggested again if avoidable (the batch's exclusion set, which grows as it picks). */
  keys: Set<string>;
  failed: number;
  notes: string[];
};

/**
 * `memo`: configurations already keyed and encoded in this space (see ConfigMemo); a hit equals
 * recomputing. `targetMemo`: the experiment's memo across calls (SuggestOptions.targetMemo), where the
 * observations of this call are kept with their memo entries (PreparedObservations). A long experiment asks
 * with thousands of observations, the same objects as last time but for a few; looking each up in the
 * memo again was most of this function's time.
 */
export function prepareTarget(encoder: Encoder, direction: Direction, observations: Observation[], memo?: ConfigMemo, targetMemo?: TargetMemo): TargetData {
  const sign = direction === 'maximize' ? -1 : 1;
  const keys = new Set<string>();
  const done: { x: Float64Array; y: number; key: string; memo: EncodedConfig | undefined }[] = [];
  const failedX: { x: Float64Array; memo: EncodedConfig | undefined }[] = [];
  const pendingX: Float64Array[] = [];
  const pendingMemos: (EncodedConfig | undefined)[] = [];
  const notes: string[] = [];
  let invalid = 0;
  const space = memo ? spaceKey(encoder.space) : '';
  const keep = memo !== undefined && targetMemo !== undefined;
  const before = keep ? targetMemo.get('prepared', space) : undefined;
  const keptAll: (EncodedConfig | undefined)[] = keep ? new Array(observations.length) : [];
  // An observation that is the same object at the same place as last time has the same config and so
  // the same memo entry.
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]!;
    let kept: EncodedConfig | undefined;
    let known: EncodedConfig | undefined;
    if (before && before.observations[i] === o && before.known[i]) {
      kept = known = before.known[i]!;
    } else {
      const entry = memo?.get(o.config);
      known = entry?.bySpace.get(space);
      if (!known) {
        known = { key: configKey(encoder.space, o.config), x: encoder.encode(o.config), valid: validateConfig(encoder.space, o.config).ok };
        entry?.bySpace.set(space, known);
      }
      kept = entry ? known : undefined;
    }
    if (keep) keptAll[i] = kept;
    const { key, x } = known;
    keys.add(key);
    if (!known.valid) invalid++;
    // Pending points are handed on; a copy, since a remembered x is shared with later calls.
    if (o.state === 'pending') {
      pendingX.push(Float64Array.from(x));
      pendingMemos.push(kept);
    } else if (o.state === 'completed' && o.value !== null && Number.isFinite(o.value)) done.push({ x, y: sign * o.value, key, memo: kept });
    else failedX.push({ x, memo: kept });
  }
  if (keep) targetMemo.set('prepared', space, { observations: observations.slice(), known: keptAll });
  if (invalid > 0) notes.push(`${invalid} observation(s) do not validate against the space; encoded after clamping`);
  const n = done.length + (done.length > 0 ? failedX.length : 0);
  const D = encoder.dim;
  const X = new Float64Array(n * D);
  const y = new Float64Array(n);
  let worst = -Infinity;
  done.forEach((d, i) => {
    X.set(d.x, i * D);
    y[i] = d.y;
    worst = Math.max(worst, d.y);
  });
  if (done.length > 0) {
    // Imputing the worst seen value (as SMAC does) steers the model away from regions that crash
    // without inventing a scale for "how bad" a failure is.
    failedX.forEach(({ x }, k) => {
      X.set(x, (done.length + k) * D);
      y[done.length + k] = worst;
    });
    if (failedX.length > 0) notes.push(`${failedX.length} failed trial(s) imputed with the worst observed value`);
  }
  const rowMemos = [...done.map((d) => d.memo), ...(done.length > 0 ? failedX.map((f) => f.memo) : []), ...pendingMemos];
  return { X, n, y, completed: done.map((_, i) => i), completedKeys: done.map((d) => d.key), pendingX, rowMemos, keys, failed: failedX.length, notes };
}
