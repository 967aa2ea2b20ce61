// Maximising an acquisition function over a mixed (float/int/categorical/conditional) space, or picking
// the best member of a finite candidate menu.
//
// Mixed spaces: the acquisition is cheap relative to a trial but not free (O(n²) per point), and it is
// multimodal with flat regions, so we use the recipe of SMAC/HEBO-style optimisers rather than gradients:
//   1. score a scrambled Sobol batch plus perturbations of the best observed configs (exploitation
//      anchors — EI maxima tend to sit near good points);
//   2. refine the best few by stochastic local search: Gaussian steps on numeric dimensions with a
//      shrinking step size, occasional categorical flips; every proposal is snapped to a valid config
//      (rounded ints, one-hot argmax, inactive sentinels) before scoring, so we optimise over exactly
//      the points that can be suggested.
// Configs already observed/pending/suggested (the `exclude` keys) are never returned while any other
// scored point exists.
import type { Config, SearchSpace } from '../schema.ts';
import type { Encoder } from '../encoding.ts';
import { Rng } from '../random.ts';
import { configKey } from '../space.ts';
import { SobolSequence, SOBOL_MAX_DIM } from '../design/sobol.ts';
import { uniformPoints } from '../design/random.ts';

/** Scores m encoded points (m×D row-major); larger is better. */
export type ScoreFn = (X: Float64Array, m: number) => Float64Array;

export type AcqChoice = { config: Config; x: Float64Array; value: number; key: string; duplicate: boolean };

export type SpaceSearchOptions = {
  encoder: Encoder;
  score: ScoreFn;
  seed: number;
  exclude: ReadonlySet<string>;
  /** Encoded good configs to perturb (best observations first). */
  anchors: Float64Array[];
  rawSamples: number;
  localStarts: number;
  localIterations?: number;
  neighbours?: number;
};

type Scored = { x: Float64Array; config: Config; key: string; value: number };

function scoreAll(encoder: Encoder, score: ScoreFn, pts: { x: Float64Array; config: Config; key: string }[]): Scored[] {
  const D = encoder.dim;
  const X = new Float64Array(pts.length * D);
  pts.forEach((p, i) => X.set(p.x, i * D));
  const v = score(X, pts.length);
  return pts.map((p, i) => ({ ...p, value: Number.isNaN(v[i]!) ? -Infinity : v[i]! }));
}

function fromConfig(encoder: Encoder, space: SearchSpace, config: Config): { x: Float64Array; config: Config; key: string } {
  return { x: encoder.encode(config), config, key: configKey(space, config) };
}

function perturb(encoder: Encoder, x: Float64Array, rng: Rng, sigma: number, flipProb: number): Config {
  const y = Float64Array.from(x);
  let changed = false;
  for (const { param, offset, width } of encoder.blocks) {
    if (param.type === 'categorical') {
      if (rng.uniform() < flipProb) {
        for (let k = 0; k < width; k++) y[offset + k] = 0;
        y[offset + rng.int(width)] = 1;
        changed = true;
      }
    } else {
      y[offset] = y[offset]! + sigma * rng.normal();
      changed = true;
    }
  }
  if (!changed && encoder.blocks.length > 0) {
    const b = encoder.blocks[rng.int(encoder.blocks.length)]!;
    if (b.param.type === 'categorical') {
      for (let k = 0; k < b.width; k++) y[b.offset + k] = 0;
      y[b.offset + rng.int(b.width)] = 1;
    }
  }
  return encoder.decode(y);
}

function better(a: Scored | null, b: Scored): boolean {
  return !a || b.value > a.value;
}

export function optimizeOverSpace(opts: SpaceSearchOptions): AcqChoice | null {
  const { encoder, score, exclude } = opts;
  const space = encoder.space;
  const rng = Rng.from(opts.seed, 'acq-opt');
  const nParams = space.length;
  const rawUnits =
    nParams <= SOBOL_MAX_DIM
      ? new SobolSequence(Math.max(nParams, 1), opts.seed).points(0, opts.rawSamples)
      : uniformPoints(opts.rawSamples, nParams, opts.seed);
  const pool = new Map<string, { x: Float64Array; config: Config; key: string }>();
  const add = (c: Config): void => {
    const p = fromConfig(encoder, space, c);
    if (!pool.has(p.key)) pool.set(p.key, p);
  };
  for (const u of rawUnits) add(encoder.fromParamUnits(u));
  const flip = 1 / Math.max(nParams, 1);
  const perAnchor = Math.max(4, Math.floor(opts.rawSamples / 8 / Math.max(opts.anchors.length, 1)));
  for (const a of opts.anchors) {
    for (let k = 0; k < perAnchor; k++) add(perturb(encoder, a, rng, 0.05 + 0.1 * rng.uniform(), flip));
  }
  const scored = scoreAll(encoder, score, [...pool.values()]);
  let best: Scored | null = null;
  let bestAny: Scored | null = null;
  for (const s of scored) {
    if (better(bestAny, s)) bestAny = s;
    if (!exclude.has(s.key) && better(best, s)) best = s;
  }
  const starts = scored
    .filter((s) => Number.isFinite(s.value))
    .sort((a, b) => b.value - a.value)
    .slice(0, opts.localStarts);
  const iterations = opts.localIterations ?? 12;
  const nb = opts.neighbours ?? 8;
  const seen = new Set(pool.keys());
  for (const start of starts) {
    let cur = start;
    let sigma = 0.1;
    for (let it = 0; it < iterations && sigma > 2e-3; it++) {
      const props: { x: Float64Array; config: Config; key: string }[] = [];
      for (let k = 0; k < nb; k++) {
        const p = fromConfig(encoder, space, perturb(encoder, cur.x, rng, sigma, flip * 0.5));
        if (seen.has(p.key)) continue;
        seen.add(p.key);
        props.push(p);
      }
      if (props.length === 0) {
        sigma *= 0.5;
        continue;
      }
      let improved = false;
      for (const s of scoreAll(encoder, score, props)) {
        if (better(bestAny, s)) bestAny = s;
        if (!exclude.has(s.key) && better(best, s)) best = s;
        if (s.value > cur.value) {
          cur = s;
          improved = true;
        }
      }
      if (!improved) sigma *= 0.5;
    }
  }
  const pick = best ?? bestAny;
  if (!pick) return null;
  return { config: pick.config, x: pick.x, value: pick.value, key: pick.key, duplicate: best === null };
}

export type CandidateMenu = { configs: Config[]; keys: string[]; X: Float64Array };

export function buildMenu(encoder: Encoder, configs: Config[]): CandidateMenu {
  const D = encoder.dim;
  const X = new Float64Array(configs.length * D);
  const keys: string[] = [];
  configs.forEach((c, i) => {
    encoder.encode(c, X.subarray(i * D, (i + 1) * D));
    keys.push(configKey(encoder.space, c));
  });
  return { configs, keys, X };
}

/**
 * Best menu entry not in `exclude`. When every entry is excluded, the best one not `busy` (a
 * re-evaluation of a finished configuration, flagged duplicate); only when everything is busy, the
 * best overall.
 */
export function optimizeOverMenu(
  menu: CandidateMenu,
  encoder: Encoder,
  score: ScoreFn,
  exclude: ReadonlySet<string>,
  busy: ReadonlySet<string> = new Set(),
): AcqChoice | null {
  const m = menu.configs.length;
  if (m === 0) return null;
  const D = encoder.dim;
  const open: number[] = [];
  for (let i = 0; i < m; i++) if (!exclude.has(menu.keys[i]!)) open.push(i);
  const idle: number[] = [];
  if (open.length === 0) for (let i = 0; i < m; i++) if (!busy.has(menu.keys[i]!)) idle.push(i);
  const idx = open.length > 0 ? open : idle.length > 0 ? idle : Array.from({ length: m }, (_, i) => i);
  const X = new Float64Array(idx.length * D);
  idx.forEach((i, r) => X.set(menu.X.subarray(i * D, (i + 1) * D), r * D));
  const v = score(X, idx.length);
  let bi = -1;
  let bv = -Infinity;
  for (let r = 0; r < idx.length; r++) {
    const val = Number.isNaN(v[r]!) ? -Infinity : v[r]!;
    if (bi < 0 || val > bv) {
      bi = r;
      bv = val;
    }
  }
  const i = idx[bi]!;
  return { config: menu.configs[i]!, x: menu.X.slice(i * D, (i + 1) * D), value: bv, key: menu.keys[i]!, duplicate: open.length === 0 };
}
