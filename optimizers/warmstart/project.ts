// Prior experiments brought into the target's terms.
//
// Shared parameters are those with the same name and a compatible kind (numeric↔numeric, categorical↔
// categorical with at least one common choice). A prior contributes only on the encoded columns of
// shared parameters: its model's kernel ignores every other column, i.e. it is constant along the
// parameters it never varied (the missing parameters are marginalised out in the crude sense of "this
// prior has no opinion about them"). Values are mapped onto the target's encoding with the target's
// bounds (clamped when the prior ranged wider).
//
// Objectives are turned to minimisation and then to Gaussian-copula ranks per prior: experiments differ
// in scale, metric and noise, and only the ordering within an experiment is comparable across them.
import type { Config, ConfigValue, Param, PriorExperiment, SearchSpace } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import { fnv1a, hashFloats, Rng } from '../random.ts';
import { canonicalConfig, choiceIndex } from '../space.ts';
import { copulaRanks } from '../models/transforms.ts';

export type ProjectedPrior = {
  id: string;
  prior: PriorExperiment;
  shared: string[];
  /** Encoded target columns of the shared parameters (what the prior's model sees). */
  dims: Int32Array;
  X: Float64Array;
  n: number;
  /** Copula-normalised, minimisation-oriented values (lower is better). */
  y: Float64Array;
  /** Prior trial ids aligned with rows (may be undefined). */
  trialIds: (string | undefined)[];
  /** Prior configs aligned with rows, as given. */
  configs: Config[];
  /** Row indices best-first. */
  order: number[];
  /** Shared-parameter key → mean normalised value, for exact look-ups of configs the prior evaluated. */
  lookup: Map<string, number>;
  /** Stable identity of the projection, for the model cache. */
  hash: string;
};

function compatible(t: Param, p: Param): boolean {
  if (t.type === 'categorical') return p.type === 'categorical' && p.choices.some((c) => t.choices.includes(c));
  return p.type !== 'categorical';
}

export function sharedParameters(target: SearchSpace, prior: SearchSpace): string[] {
  const byName = new Map(prior.map((p) => [p.name, p] as const));
  return target
    .filter((t) => {
      const p = byName.get(t.name);
      return p !== undefined && compatible(t, p);
    })
    .map((t) => t.name);
}

/** Key of a config restricted to the shared parameters, in the target's canonical form. */
export function sharedKey(space: SearchSpace, shared: ReadonlySet<string>, config: Config): string {
  const c = canonicalConfig(space, config);
  return space.map((p) => (shared.has(p.name) ? JSON.stringify(c[p.name] ?? null) : '*')).join(',');
}

/** Target-space config from a prior config: shared values carried over (clamped / checked), the rest
 * from `fill` (one unit value per target parameter), then conditions applied. With `fill` null, the
 * config only when no parameter needed a fill value, else null: such a config does not depend on
 * any random draw, so callers may keep it between requests. */
export function mapConfig(encoder: Encoder, shared: ReadonlySet<string>, config: Config, fill: ArrayLike<number>): Config;
export function mapConfig(encoder: Encoder, shared: ReadonlySet<string>, config: Config, fill: ArrayLike<number> | null): Config | null;
export function mapConfig(encoder: Encoder, shared: ReadonlySet<string>, config: Config, fill: ArrayLike<number> | null): Config | null {
  const out: Config = {};
  const missing: string[] = [];
  for (const p of encoder.space) {
    const v: ConfigValue | undefined = shared.has(p.name) ? config[p.name] : undefined;
    if (p.type === 'categorical') {
      if (choiceIndex(p.choices, v) >= 0) out[p.name] = v!;
      else missing.push(p.name);
    } else if (typeof v === 'number' && Number.isFinite(v)) {
      const c = Math.min(p.high, Math.max(p.low, v));
      out[p.name] = c;
    } else missing.push(p.name);
  }
  if (missing.length > 0) {
    if (fill === null) return null;
    // The fill is a whole configuration with its own conditions applied (a parameter it makes
    // inactive stays null even when the carried values would activate it).
    const base = encoder.fromParamUnits(fill);
    for (const name of missing) out[name] = base[name]!;
  }
  return canonicalConfig(encoder.space, out);
}

export type ProjectOptions = { maxObservations: number };

/** Null when the prior shares no parameter or has fewer than two finite results. */
export function projectPrior(encoder: Encoder, prior: PriorExperiment, opts: ProjectOptions): ProjectedPrior | null {
  const sharedNames = sharedParameters(encoder.space, prior.space);
  if (sharedNames.length === 0) return null;
  const shared = new Set(sharedNames);
  const sign = prior.direction === 'maximize' ? -1 : 1;
  let rows = prior.observations
    .filter((o) => o.state === 'completed' && o.value !== null && Number.isFinite(o.value))
    .map((o) => ({ o, v: sign * (o.value as number) }));
  if (rows.length < 2) return null;
  rows.sort((a, b) => a.v - b.v);
  if (rows.length > opts.maxObservations) {
    // Keep the best third (where the next optimum most likely is) and a seeded spread of the rest (so
    // the model still knows what bad looks like). Seeded by the prior id, not the request, so cached
    // prior models stay valid across requests.
    const keepBest = Math.floor(opts.maxObservations / 3);
    const rest = rows.slice(keepBest);
    Rng.from(fnv1a(prior.id), 'prior-subsample').shuffle(rest);
    rows = [...rows.slice(0, keepBest), ...rest.slice(0, opts.maxObservations - keepBest)].sort((a, b) => a.v - b.v);
  }
  const D = encoder.dim;
  const n = rows.length;
  const X = new Float64Array(n * D);
  const dimsList: number[] = [];
  for (const b of encoder.blocks) if (shared.has(b.param.name)) for (let k = 0; k < b.width; k++) dimsList.push(b.offset + k);
  const configs: Config[] = [];
  const half = new Float64Array(encoder.space.length).fill(0.5);
  rows.forEach((r, i) => {
    const mapped = mapConfig(encoder, shared, r.o.config, half);
    // Shared columns must reflect the prior's own activity: a value null in the prior stays inactive.
    for (const p of encoder.space) if (shared.has(p.name) && (r.o.config[p.name] ?? null) === null) mapped[p.name] = null;
    encoder.encode(mapped, X.subarray(i * D, (i + 1) * D));
    for (const b of encoder.blocks) {
      if (!shared.has(b.param.name) || mapped[b.param.name] !== null) continue;
      // encode() used the target's conditions; force the sentinel the prior actually implies.
      for (let k = 0; k < b.width; k++) X[i * D + b.offset + k] = b.param.type === 'categorical' ? 0 : 0.5;
    }
    configs.push(r.o.config);
  });
  const y = copulaRanks(rows.map((r) => r.v));
  const lookup = new Map<string, { s: number; c: number }>();
  rows.forEach((r, i) => {
    const k = sharedKey(encoder.space, shared, r.o.config);
    const e = lookup.get(k) ?? { s: 0, c: 0 };
    e.s += y[i]!;
    e.c += 1;
    lookup.set(k, e);
  });
  const dims = Int32Array.from(dimsList);
  const h = hashFloats(y, hashFloats(X, fnv1a(dimsList.join(','))));
  return {
    id: prior.id,
    prior,
    shared: sharedNames,
    dims,
    X,
    n,
    y,
    trialIds: rows.map((r) => r.o.id),
    configs,
    order: rows.map((_, i) => i),
    lookup: new Map([...lookup].map(([k, e]) => [k, e.s / e.c])),
    hash: `${prior.id}#${h.toString(16)}#${n}`,
  };
}
