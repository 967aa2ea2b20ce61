// Maps configs to points of the unit hypercube the GP works in, and back.
//
// numeric: one dimension; log parameters are encoded on the log scale. Integers and stepped floats are
//   stretched to [low − ½·step, high + ½·step] so that a uniform draw in the cube hits every grid point
//   with equal probability (on the chosen scale) instead of halving the mass of the two end points.
// categorical: one-hot block; the GP learns one lengthscale per choice.
// inactive conditional parameters: a fixed sentinel (0.5 for numerics — the centre keeps the spurious
//   distance to any active value ≤ ½ —, all zeros for a one-hot block), so two configs that both lack
//   the parameter are at distance 0 in that block and the parent's one-hot block carries the difference.
import type { Config, NumericParam, Param, SearchSpace } from './schema.ts';
import { activeMask, canonicalConfig, choiceIndex } from './space.ts';

export const INACTIVE_NUMERIC = 0.5;

export type Block = { param: Param; offset: number; width: number };

/** Grid spacing of a discrete numeric parameter (ints step 1 unless stepped), or null for a continuous float. */
function gridStep(p: NumericParam): number | null {
  return p.step ?? (p.type === 'int' ? 1 : null);
}

function numericRange(p: NumericParam): [number, number] {
  let lo = p.low;
  let hi = p.high;
  const step = gridStep(p);
  if (step !== null) {
    lo -= step / 2;
    hi += step / 2;
    // Keep the log of the stretched range defined for low = 1 (→ 0.5) and never cross 0.
    if (p.log) lo = Math.max(lo, p.low / 2);
  }
  return p.log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
}

/** Unit value of a numeric parameter (clamped to [0, 1]). */
export function numericToUnit(p: NumericParam, v: number): number {
  const [lo, hi] = numericRange(p);
  if (!(hi > lo)) return 0.5;
  const t = p.log ? Math.log(Math.max(v, Number.MIN_VALUE)) : v;
  const u = (t - lo) / (hi - lo);
  return u <= 0 ? 0 : u >= 1 ? 1 : Number.isFinite(u) ? u : 0.5;
}

export function unitToNumeric(p: NumericParam, u: number): number {
  const [lo, hi] = numericRange(p);
  const c = u <= 0 ? 0 : u >= 1 ? 1 : Number.isFinite(u) ? u : 0.5;
  const t = lo + c * (hi - lo);
  let v = p.log ? Math.exp(t) : t;
  const step = gridStep(p);
  if (step !== null) v = p.low + Math.round((v - p.low) / step) * step;
  if (p.type === 'int') v = Math.round(v);
  return Math.min(p.high, Math.max(p.low, v));
}

export class Encoder {
  readonly blocks: Block[];
  readonly dim: number;

  constructor(readonly space: SearchSpace) {
    let offset = 0;
    this.blocks = space.map((param) => {
      const width = param.type === 'categorical' ? param.choices.length : 1;
      const b = { param, offset, width };
      offset += width;
      return b;
    });
    this.dim = offset;
  }

  encode(config: Config, out = new Float64Array(this.dim)): Float64Array {
    const mask = activeMask(this.space, config);
    for (let i = 0; i < this.blocks.length; i++) {
      const { param, offset, width } = this.blocks[i]!;
      const v = config[param.name];
      if (param.type === 'categorical') {
        for (let k = 0; k < width; k++) out[offset + k] = 0;
        const k = mask[i] ? choiceIndex(param.choices, v) : -1;
        if (k >= 0) out[offset + k] = 1;
      } else {
        out[offset] = mask[i] && typeof v === 'number' ? numericToUnit(param, v) : INACTIVE_NUMERIC;
      }
    }
    return out;
  }

  /** Nearest valid config: clamp, round ints, argmax one-hot blocks, null the inactive. */
  decode(x: ArrayLike<number>): Config {
    const raw: Config = {};
    for (const { param, offset, width } of this.blocks) {
      if (param.type === 'categorical') {
        let best = 0;
        for (let k = 1; k < width; k++) if ((x[offset + k] ?? 0) > (x[offset + best] ?? 0)) best = k;
        raw[param.name] = param.choices[best]!;
      } else {
        raw[param.name] = unitToNumeric(param, x[offset] ?? 0.5);
      }
    }
    return canonicalConfig(this.space, raw);
  }

  /** Config from one uniform number per parameter (design samplers work in this space: a categorical
   * takes ⌊u·k⌋, which keeps Sobol/LHS stratification per parameter). */
  fromParamUnits(u: ArrayLike<number>): Config {
    const raw: Config = {};
    for (let i = 0; i < this.space.length; i++) {
      const p = this.space[i]!;
      const ui = Math.min(Math.max(u[i] ?? 0.5, 0), 1 - 1e-12);
      raw[p.name] = p.type === 'categorical' ? p.choices[Math.floor(ui * p.choices.length)]! : unitToNumeric(p, ui);
    }
    return canonicalConfig(this.space, raw);
  }

  /** Snap a point to the encoding of the config it decodes to (what the GP would see after evaluation). */
  snap(x: ArrayLike<number>, out = new Float64Array(this.dim)): Float64Array {
    return this.encode(this.decode(x), out);
  }
}
