// Optional memo the caller may keep between suggest() calls. Pure: the optimizer only reads and writes
// the Map it is handed (no module-level state). Prior models are keyed by a hash of everything that
// determines their fit, so a hit returns exactly what a refit would; prior projections keep the full
// text of their inputs and are only used when it matches, so a hit equals a re-projection; the target entry only seeds the
// next hyperparameter search, so results with a warm cache can differ slightly from a cold call.
import type { GPHyperparameters } from './models/gp.ts';
import type { FitResult } from './models/fit.ts';
import { fnv1a } from './random.ts';
import type { Config, Observation, PriorExperiment, SearchSpace } from './schema.ts';
import type { ProjectedPrior } from './warmstart/project.ts';

export type CachedPriorModel = { kind: 'prior'; fit: FitResult };
export type CachedTargetHyper = { kind: 'target'; hyper: GPHyperparameters; n: number };
/** A prior projected onto a target space; `source` is everything the projection is a function of. */
export type CachedProjection = { kind: 'projection'; source: string; projection: ProjectedPrior };
/**
 * Numbers per configuration key that are a pure function of one prior's fit and the target space:
 * portfolio losses (`losses:` keys) and prior means at target configurations (`means:` keys).
 */
export type CachedValues = { kind: 'values'; values: Map<string, number> };
/** Like CachedValues, one number per prior of an ordered set of priors (see priorRows). */
export type CachedRows = { kind: 'rows'; values: Map<string, Float64Array> };
/**
 * The greedy portfolio's candidates from an ordered set of priors, built round by round (see
 * portfolioCandidates): `ends[r]` is the list's length after round r; `seen` holds its keys.
 * `needsFill`: some candidate takes a value from the request's random fill, so none are kept.
 */
export type CachedCandidates = {
  kind: 'candidates';
  list: { config: Config; key: string; p: number; row: number }[];
  ends: number[];
  seen: Set<string>;
  needsFill: boolean;
  /** Loss rows of the list's candidates (see candidateLosses), with room to grow; column p holds its first `filled[p]`. */
  losses?: Float64Array;
  filled?: Int32Array;
};
export type CachedEntry = CachedPriorModel | CachedTargetHyper | CachedProjection | CachedValues | CachedRows | CachedCandidates;
export type ModelCache = Map<string, CachedEntry>;

/** Hash of a Float64Array's bit pattern (FNV-1a over 32-bit words): exact, no string formatting. */
export function hashFloats(a: Float64Array, h = 0x811c9dc5): number {
  const words = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  for (let i = 0; i < words.length; i++) {
    h ^= words[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Optional memo of prior experiments by object identity, for a caller that hands the same
 * PriorExperiment objects to suggest() again (and never mutates them): each is validated once and
 * projected once per target space and options, instead of at every call. Entries are found both by
 * the caller's object and by the validated copy; they go when the caller drops its objects.
 */
export type PriorMemo = WeakMap<object, { parsed: PriorExperiment; projections: Map<string, ProjectedPrior | null> }>;

/**
 * Optional memo of the target's configurations by object identity, for a caller that hands the same
 * config objects to suggest() again (and never mutates them), as the service does with its copy of
 * an experiment's history: each is validated once, and keyed and encoded once per target space,
 * instead of at every call. Entries are found both by the caller's object and by the validated copy.
 */
export type ConfigMemo = WeakMap<object, { parsed: Config; bySpace: Map<string, EncodedConfig> }>;

/**
 * Optional memo of the target's observations by object identity, for a caller that hands the same
 * observation objects to suggest() again (and never mutates them), as the service does for trials
 * whose state did not change: each is validated once instead of at every call. Validating thousands
 * of observations at every ask was a large part of a long initial design's cost. Entries are found
 * by the caller's object and give the validated copy.
 */
export type ObservationMemo = WeakMap<object, Observation>;

/**
 * A target configuration in one space: its key, encoding and validity, and once asked for, the
 * configuration its encoding decodes to with that one's key (what the portfolio compares with the
 * priors' configurations; not always the same key, since encoding clamps and rounds).
 */
export type EncodedConfig = { key: string; x: Float64Array; valid: boolean; decoded?: { config: Config; key: string } };

/** Part of a memo key for values at encoded points: they depend on the target space, not only on a prior's data. */
export function spaceKey(space: SearchSpace): string {
  return fnv1a(JSON.stringify(space)).toString(16);
}

/** Remembered values per entry: beyond this many the memo starts over (it is only a shortcut). */
const MAX_REMEMBERED_VALUES = 100_000;
/** Rows hold a number per prior: fewer of them fit in the memory MAX_REMEMBERED_VALUES numbers take. */
const MAX_REMEMBERED_ROWS = 10_000;

function remembered<E extends CachedValues | CachedRows>(cache: ModelCache | undefined, key: string, kind: E['kind'], max: number): E['values'] {
  const hit = cache?.get(key);
  if (hit?.kind === kind && (hit as E).values.size < max) return (hit as E).values;
  const values: E['values'] = new Map();
  cache?.set(key, { kind, values } as E);
  return values;
}

/** The memo of values under `key` in `cache` (a throw-away one without a cache). */
export function rememberedValues(cache: ModelCache | undefined, key: string): Map<string, number> {
  return remembered<CachedValues>(cache, key, 'values', MAX_REMEMBERED_VALUES);
}

/** The memo of per-prior rows under `key` in `cache` (a throw-away one without a cache). */
function rememberedRows(cache: ModelCache | undefined, key: string): Map<string, Float64Array> {
  return remembered<CachedRows>(cache, key, 'rows', MAX_REMEMBERED_ROWS);
}

/**
 * One number per prior for each configuration (configurations × priors, row-major), for an ordered
 * set of priors: rows remembered under `key` are copied in, `compute` fills the others (given their
 * indices) and says whether they are whole, and whole rows are remembered (unless `remember` is
 * false: the caller keeps them itself).
 */
export function priorRows(
  cache: ModelCache | undefined,
  key: string,
  keys: string[],
  P: number,
  compute: (todo: number[], out: Float64Array) => boolean,
  remember = true,
): Float64Array {
  const out = new Float64Array(keys.length * P);
  const rows = cache ? rememberedRows(cache, key) : undefined;
  const todo: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const row = rows?.get(keys[i]!);
    if (row) out.set(row, i * P);
    else todo.push(i);
  }
  if (todo.length > 0 && compute(todo, out) && rows && remember) for (const i of todo) rows.set(keys[i]!, out.slice(i * P, (i + 1) * P));
  return out;
}

/**
 * Drops the oldest entries of each group of kinds beyond its `max`, in two passes over the cache
 * however many groups. Memos of values hold up to MAX_REMEMBERED_VALUES numbers and rows entries
 * up to MAX_REMEMBERED_ROWS × priors (megabytes), and their keys name prior versions (a prior's
 * data change whenever it gets a result), so a count of all entries alone does not bound the
 * memory a long-running caller keeps.
 */
export function trimMemos(cache: ModelCache, groups: { kinds: CachedEntry['kind'][]; max: number }[]): void {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.kinds.forEach((k) => groupOf.set(k, i)));
  const over = groups.map((g) => -g.max);
  for (const e of cache.values()) {
    const g = groupOf.get(e.kind);
    if (g !== undefined) over[g]!++;
  }
  if (over.every((n) => n <= 0)) return;
  for (const [k, e] of cache) {
    const g = groupOf.get(e.kind);
    if (g !== undefined && over[g]! > 0) {
      cache.delete(k);
      over[g]!--;
    }
  }
}

/** Part of a memo key for an ordered set of priors: each prior's projection hash, in order. */
export function priorsKey(priors: { hash: string }[]): string {
  return priors.map((p) => p.hash).join('|');
}
