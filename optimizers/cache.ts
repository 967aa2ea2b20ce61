// Optional memo the caller may keep between suggest() calls and share between experiments: everything
// computed from prior experiments. Only PriorEvidence (prior-evidence.ts) reads and writes it; there
// is no module-level state. Every entry is keyed by what determines it (a prior version's hash,
// a target space, an ordered set of priors) or keeps the full text of its inputs and is used only when
// it matches, so a hit equals recomputing.
import type { FitResult } from './models/fit.ts';
import { fnv1a } from './random.ts';
import type { Config, Observation, SearchSpace, PriorExperiment } from './schema.ts';
import type { ProjectedPrior } from './warmstart/project.ts';
import type { CandidateList } from './warmstart/portfolio.ts';

/** A map that keeps its `max` most recently used entries. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  get size(): number {
    return this.map.size;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** The keys, least recently used first: a copy, since reading an entry moves it. */
  keys(): K[] {
    return [...this.map.keys()];
  }

  /** The values, least recently used first, without moving them. */
  values(): V[] {
    return [...this.map.values()];
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * The greedy portfolio's candidates for a target space and an ordered set of priors, kept and
 * extended round by round (see PriorEvidence.candidates). `needsFill`: some candidate takes a value
 * from the request's random fill, so none are kept.
 */
export type KeptCandidates = CandidateList & {
  needsFill: boolean;
  /** Loss rows of the list's candidates (see PriorEvidence.candidateLosses), with room to grow; column p holds its first `filled[p]`. */
  losses?: Float64Array;
  filled?: Int32Array;
};

/** How many entries of each kind a ModelCache keeps. */
export type ModelCacheLimits = { fits: number; projections: number; values: number; rows: number; candidates: number };

/**
 * Defaults. Values memos hold up to MAX_REMEMBERED_VALUES numbers each, rows and candidates up to
 * MAX_REMEMBERED_ROWS × priors (megabytes), and their keys name prior versions (a prior's data
 * change whenever it gets a result), so each kind has a bound of its own.
 */
const LIMITS: ModelCacheLimits = { fits: 2000, projections: 2000, values: 400, rows: 32, candidates: 16 };

/** Everything computed from prior experiments, one bounded map per kind (least recently used dropped). */
export class ModelCache {
  /** One GP per prior version (see PriorEvidence.model), by the prior projection's hash. */
  readonly fits: Lru<string, FitResult>;
  /** Priors projected onto a target space, with the text of everything the projection is a function of. */
  readonly projections: Lru<string, { source: string; projection: ProjectedPrior }>;
  /**
   * Numbers per configuration key computed from one prior's fit and the target space: portfolio
   * losses (`losses:` keys) and prior means at target configurations (`means:` keys).
   */
  readonly values: Lru<string, Map<string, number>>;
  /** Like values, one number per prior of an ordered set of priors (see PriorEvidence; `loss-rows:` and `mean-rows:` keys). */
  readonly rows: Lru<string, Map<string, Float64Array>>;
  /** The greedy portfolio's candidates per target space and ordered set of priors (see PriorEvidence.candidates). */
  readonly candidates: Lru<string, KeptCandidates>;

  constructor(limits: Partial<ModelCacheLimits> = {}) {
    const l = { ...LIMITS, ...limits };
    this.fits = new Lru(l.fits);
    this.projections = new Lru(l.projections);
    this.values = new Lru(l.values);
    this.rows = new Lru(l.rows);
    this.candidates = new Lru(l.candidates);
  }
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

/** Part of a memo key for an ordered set of priors: each prior's projection hash, in order. */
export function priorsKey(priors: { hash: string }[]): string {
  return priors.map((p) => p.hash).join('|');
}
