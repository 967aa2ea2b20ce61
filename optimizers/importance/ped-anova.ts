// Parameter importance by PED-ANOVA: S. Watanabe, A. Bansal, F. Hutter, "PED-ANOVA: Efficiently
// Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023 (arXiv:2304.10255).
//
// The importance of a parameter for reaching the top-γ' results is the Pearson divergence between the
// parameter's marginal distribution among the top-γ' trials and its distribution over a baseline region:
//
//   v_d = Σ_k p_base(k) · (p_top(k) / p_base(k) − 1)²
//
// (the paper's Theorem: for γ' < γ, v_d ∝ the local variance of the indicator f(x) ≤ f_γ' explained by
// x_d, i.e. a functional-ANOVA term computed in closed form from densities). The baseline is either all
// trials of the experiment ('local': which parameters mattered *during this optimisation*, γ = 1) or the
// uniform distribution over the domain ('global'). Each marginal is a Parzen estimator on a grid over the
// parameter's domain (log scale where the parameter is log-scaled) with a bandwidth by Scott's rule
// (D. W. Scott, Multivariate Density Estimation, 1992) and a wide prior component, as in the authors'
// reference implementation. Shares are v_d / Σ v. Everything is closed form: O(n log n + n·K) per
// parameter for n trials and K grid points, so it runs on every page load of a 2,000-trial experiment.
import type { SearchSpace } from '../schema.ts';
import { normCdf } from '../math/normal.ts';

export const PED_ANOVA_REFERENCE =
  'Watanabe, Bansal & Hutter (2023), PED-ANOVA: Efficiently Quantifying Hyperparameter Importance in Arbitrary Subspaces, IJCAI 2023, arXiv:2304.10255';

export interface ImportanceOptions {
  /** The top fraction of trials whose parameter distribution is compared with the baseline (γ', default 0.1). */
  quantile?: number;
  /** At least this many trials count as top, whatever the quantile (default 2). */
  minTop?: number;
  /** Grid points a continuous domain is discretised into (default 50). */
  gridSize?: number;
  /** 'local' (default): compared with all trials; 'global': with the uniform distribution over the domain. */
  baseline?: 'local' | 'global';
  /** Weight of the Parzen estimators' wide prior component (default 1). */
  priorWeight?: number;
}

/** A completed trial: its configuration (inactive parameters null or absent) and its objective value. */
export interface ImportanceObservation {
  config: Record<string, unknown>;
  value: number;
}

export interface ParameterImportance {
  name: string;
  /** Share of the total importance, in [0, 1]; the shares of an experiment sum to 1. */
  importance: number;
  /** The Pearson divergence v_d itself (comparable across parameters of one computation only). */
  divergence: number;
  /** Trials where the parameter was active (a conditional parameter is compared on those only). */
  activeTrials: number;
  /** Why the parameter got no importance of its own, when it did not. */
  note?: string;
}

export interface ImportanceResult {
  method: 'ped-anova';
  reference: string;
  quantile: number;
  baseline: 'local' | 'global';
  /** Completed trials with a finite value that the computation used. */
  trials: number;
  /** Trials at or better than the cutoff. */
  topTrials: number;
  /** The objective value of the worst top trial (null when there were too few trials). */
  cutoff: number | null;
  /** Most important first. */
  parameters: ParameterImportance[];
  notes: string[];
}

type Param = SearchSpace[number];

/** A parameter's domain as grid bins: how many, and which bin a value falls in (null: not a value of the domain). */
interface Grid {
  size: number;
  bin(value: unknown): number | null;
  numeric: boolean;
}

function gridOf(p: Param, gridSize: number): Grid {
  if (p.type === 'categorical') {
    const keys = p.choices.map((c) => JSON.stringify(c));
    return {
      size: keys.length,
      numeric: false,
      bin: (v) => {
        const i = keys.indexOf(JSON.stringify(v));
        return i < 0 ? null : i;
      },
    };
  }
  const log = p.log === true && p.low > 0;
  const scale = (v: number) => (log ? Math.log(v) : v);
  let size = gridSize;
  if (p.type === 'int' && log) size = Math.min(Math.ceil(Math.log2(p.high - p.low + 1)) + 1, gridSize);
  else if (p.type === 'int' || p.step !== undefined) size = Math.min(Math.round((p.high - p.low) / (p.step ?? 1)) + 1, gridSize);
  const lo = scale(p.low);
  const span = scale(p.high) - lo;
  if (!(span > 0)) size = 1;
  return {
    size,
    numeric: true,
    bin: (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0)) return null;
      if (size === 1) return 0;
      const k = Math.round(((scale(v) - lo) / span) * (size - 1));
      return Math.min(size - 1, Math.max(0, k));
    },
  };
}

/** Mass of a normal(mu, sigma) truncated to [−½, K−½] in each unit bin around 0..K−1. */
function discreteNormal(mu: number, sigma: number, size: number): Float64Array {
  const out = new Float64Array(size);
  const lo = normCdf((-0.5 - mu) / sigma);
  const total = normCdf((size - 0.5 - mu) / sigma) - lo;
  let prev = lo;
  for (let k = 0; k < size; k++) {
    const next = normCdf((k + 0.5 - mu) / sigma);
    out[k] = total > 0 ? (next - prev) / total : 1 / size;
    prev = next;
  }
  return out;
}

/**
 * The Parzen estimator of bin counts: one kernel per occupied bin (weighted by its count) and a wide
 * prior kernel of weight `priorWeight`. Numeric domains: discretised normals with Scott's bandwidth,
 * at least 0.5/1.64 bins (so 90% of a kernel's mass stays within its bin's neighbourhood), the prior
 * centred with the domain's width as its sd. Categorical: each kernel keeps `priorWeight/K` of mass on
 * every choice (the TPE categorical kernel), the prior is uniform.
 */
function parzen(counts: Float64Array, numeric: boolean, priorWeight: number): Float64Array {
  const K = counts.length;
  let n = 0;
  for (const c of counts) n += c;
  const pdf = new Float64Array(K);
  if (!numeric) {
    // Σ_j c_j·(1[k = j] + pw/K)/(1 + pw), plus the uniform prior pw/K.
    for (let k = 0; k < K; k++) pdf[k] = (counts[k]! + (n * priorWeight) / K) / (1 + priorWeight) + priorWeight / K;
  } else {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += (k * counts[k]!) / n;
    let ss = 0;
    for (let k = 0; k < K; k++) ss += counts[k]! * (k - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n - 1));
    const quantileBin = (q: number) => {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        acc += counts[k]!;
        if (acc >= q * n) return k;
      }
      return K - 1;
    };
    const iqr = quantileBin(0.75) - quantileBin(0.25);
    const sigma = Math.max(1.059 * Math.min(iqr / 1.34, sd) * n ** -0.2, 0.5 / 1.64);
    for (let j = 0; j < K; j++) {
      if (counts[j]! <= 0) continue;
      const kernel = discreteNormal(j, sigma, K);
      for (let k = 0; k < K; k++) pdf[k] = pdf[k]! + counts[j]! * kernel[k]!;
    }
    const prior = discreteNormal((K - 1) / 2, K, K);
    for (let k = 0; k < K; k++) pdf[k] = pdf[k]! + priorWeight * prior[k]!;
  }
  let total = 0;
  for (const v of pdf) total += v;
  for (let k = 0; k < K; k++) pdf[k] = pdf[k]! / total;
  return pdf;
}

function countBins(bins: number[], size: number): Float64Array {
  const counts = new Float64Array(size);
  for (const b of bins) counts[b] = counts[b]! + 1;
  return counts;
}

/** Σ_k base(k)·(top(k)/base(k) − 1)², the Pearson χ² divergence of `top` from `base`. */
export function pearsonDivergence(top: ArrayLike<number>, base: ArrayLike<number>): number {
  let d = 0;
  for (let k = 0; k < base.length; k++) {
    const b = base[k]! + 1e-12;
    const t = top[k]! + 1e-12;
    d += b * (t / b - 1) ** 2;
  }
  return d;
}

/**
 * Which trials are the top ones: the best ⌈quantile·n⌉ (at least `minTop`), ties with the worst of them
 * included. Returns their indices and the cutoff value.
 */
export function topTrials(values: number[], direction: 'minimize' | 'maximize', quantile: number, minTop: number): { indices: number[]; cutoff: number } {
  const loss = values.map((v) => (direction === 'minimize' ? v : -v));
  const sorted = [...loss].sort((a, b) => a - b);
  const n = sorted.length;
  const k = Math.min(n, Math.max(minTop, Math.ceil(quantile * n)));
  const cut = sorted[k - 1]!;
  const indices = loss.flatMap((l, i) => (l <= cut ? [i] : []));
  return { indices, cutoff: direction === 'minimize' ? cut : -cut };
}

/**
 * PED-ANOVA importance of each parameter of `space` on the completed trials `observations`. Non-finite
 * values are left out. With fewer than `minTop + 1` trials every parameter gets an equal share (the
 * top set would be all trials) and a note says so.
 */
export function pedAnova(
  space: SearchSpace,
  direction: 'minimize' | 'maximize',
  observations: ImportanceObservation[],
  opts: ImportanceOptions = {},
): ImportanceResult {
  const quantile = opts.quantile ?? 0.1;
  const minTop = opts.minTop ?? 2;
  const gridSize = opts.gridSize ?? 50;
  const baseline = opts.baseline ?? 'local';
  const priorWeight = opts.priorWeight ?? 1;
  if (!(quantile > 0 && quantile <= 1)) throw new RangeError('quantile must be in (0, 1]');
  if (!(Number.isInteger(minTop) && minTop >= 1)) throw new RangeError('minTop must be a positive integer');
  if (!(Number.isInteger(gridSize) && gridSize >= 2)) throw new RangeError('gridSize must be an integer of at least 2');

  const obs = observations.filter((o) => typeof o.value === 'number' && Number.isFinite(o.value));
  const grids = space.map((p) => gridOf(p, gridSize));
  const base: ImportanceResult = {
    method: 'ped-anova',
    reference: PED_ANOVA_REFERENCE,
    quantile,
    baseline,
    trials: obs.length,
    topTrials: 0,
    cutoff: null,
    parameters: [],
    notes: [],
  };
  const varying = space.flatMap((_p, i) => (grids[i]!.size > 1 ? [i] : []));
  const single = (i: number): ParameterImportance => ({
    name: space[i]!.name,
    importance: 0,
    divergence: 0,
    activeTrials: 0,
    note: 'a single value: nothing to vary',
  });

  if (obs.length <= minTop || varying.length === 0) {
    const share = varying.length ? 1 / varying.length : 0;
    base.parameters = space.map((p, i) =>
      grids[i]!.size > 1 ? { name: p.name, importance: share, divergence: 0, activeTrials: obs.length, note: 'too few completed trials to tell' } : single(i),
    );
    if (obs.length <= minTop) base.notes.push(`${obs.length} completed trial(s): at least ${minTop + 1} are needed, so every parameter gets an equal share`);
    return base;
  }

  const { indices, cutoff } = topTrials(
    obs.map((o) => o.value),
    direction,
    quantile,
    minTop,
  );
  const isTop = new Uint8Array(obs.length);
  for (const i of indices) isTop[i] = 1;
  base.topTrials = indices.length;
  base.cutoff = cutoff;
  if (indices.length === obs.length) base.notes.push('every trial ties with the best: the importances are equal');

  const params: ParameterImportance[] = space.map((p, i) => {
    const grid = grids[i]!;
    if (grid.size <= 1) return single(i);
    const all: number[] = [];
    const top: number[] = [];
    obs.forEach((o, t) => {
      const b = grid.bin(o.config[p.name]);
      if (b === null) return;
      all.push(b);
      if (isTop[t]) top.push(b);
    });
    if (top.length < Math.min(2, minTop)) {
      const note = top.length === 0 ? 'never active in the top trials' : 'active in too few top trials to tell';
      return { name: p.name, importance: 0, divergence: 0, activeTrials: all.length, note };
    }
    const pTop = parzen(countBins(top, grid.size), grid.numeric, priorWeight);
    const pBase = baseline === 'local' ? parzen(countBins(all, grid.size), grid.numeric, priorWeight) : new Float64Array(grid.size).fill(1 / grid.size);
    return { name: p.name, importance: 0, divergence: pearsonDivergence(pTop, pBase), activeTrials: all.length };
  });
  const total = params.reduce((s, p) => s + p.divergence, 0);
  const counted = params.filter((p) => p.note === undefined);
  for (const p of params) p.importance = total > 0 ? p.divergence / total : p.note === undefined ? 1 / counted.length : 0;
  base.parameters = params.sort((a, b) => b.importance - a.importance || a.name.localeCompare(b.name));
  return base;
}
