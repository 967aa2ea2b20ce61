// What the acquisition step needs from a model, whether a single GP or an RGPE ensemble: predictions in
// model units, the incumbent in the same units, and the ability to absorb a fantasy observation so a
// batch (or pending trials) can be planned with kriging believer / constant liar.
import type { BatchMode, Provenance } from '../schema.ts';
import type { GaussianProcess, Prediction } from './gp.ts';

export type ModelSummary = NonNullable<Provenance['model']>;

export interface Surrogate {
  predict(Q: Float64Array, m: number): Prediction;
  /** Best (lowest) value the acquisition should improve on. */
  readonly incumbent: number;
  /** Value a fantasy at x takes under the batch mode. */
  fantasyValue(x: Float64Array, mode: BatchMode): number;
  /** Same model with one more (fantasy) target observation; the hyperparameters stay fixed. */
  condition(x: Float64Array, y: number): Surrogate;
  summary(): ModelSummary;
}

/** Training values the constant liar may use: fixed at the real data so lies do not drift. */
export type LiarValues = { min: number; mean: number; max: number };

export function liarValues(y: ArrayLike<number>): LiarValues {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    min = Math.min(min, y[i]!);
    max = Math.max(max, y[i]!);
    sum += y[i]!;
  }
  return y.length > 0 ? { min, mean: sum / y.length, max } : { min: 0, mean: 0, max: 0 };
}

export function fantasyFrom(mode: BatchMode, liar: LiarValues, predictMean: () => number): number {
  switch (mode) {
    case 'constant-liar-min':
      return liar.min;
    case 'constant-liar-mean':
      return liar.mean;
    case 'constant-liar-max':
      return liar.max;
    default:
      return predictMean();
  }
}

export class GPSurrogate implements Surrogate {
  readonly incumbent: number;

  constructor(
    readonly gp: GaussianProcess,
    private readonly liar: LiarValues,
    private readonly base: ModelSummary,
  ) {
    let best = Infinity;
    for (const v of gp.data.y) best = Math.min(best, v);
    this.incumbent = best;
  }

  predict(Q: Float64Array, m: number): Prediction {
    return this.gp.predict(Q, m);
  }

  fantasyValue(x: Float64Array, mode: BatchMode): number {
    return fantasyFrom(mode, this.liar, () => this.gp.predict(x, 1, false).mean[0]!);
  }

  condition(x: Float64Array, y: number): Surrogate {
    const next = this.gp.condition(x, y);
    return next ? new GPSurrogate(next, this.liar, this.base) : this;
  }

  summary(): ModelSummary {
    return this.base;
  }
}
