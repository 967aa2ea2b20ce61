// Scrambled Sobol' points (Joe & Kuo 2008 direction numbers) with Matoušek's linear matrix scramble plus
// a random digital shift — the scrambling SciPy uses. Scrambling keeps the (t, m, s)-net structure that
// makes the first 2^m points stratified, removes the all-zeros first point, and makes the design a seeded
// random variable, so different experiments do not all start from the same corner configs.
import { Rng } from '../random.ts';
import { POLY, VINIT } from './sobol-directions.ts';

const BITS = 32;
export const SOBOL_MAX_DIM = POLY.length;

function directionNumbers(dim: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let d = 0; d < dim; d++) {
    const m = new Uint32Array(BITS);
    if (d === 0) {
      m.fill(1);
    } else {
      const p = POLY[d]!;
      const deg = Math.floor(Math.log2(p));
      const init = VINIT[d]!;
      for (let j = 0; j < deg; j++) m[j] = init[j]!;
      // Bratley–Fox recurrence on the primitive polynomial's coefficients.
      for (let j = deg; j < BITS; j++) {
        let v = m[j - deg]!;
        for (let k = 0; k < deg; k++) {
          if ((p >> (deg - 1 - k)) & 1) v ^= m[j - k - 1]! << (k + 1);
        }
        m[j] = v >>> 0;
      }
    }
    // Left-align: direction number j contributes to bit position (BITS − 1 − j) from the top.
    for (let j = 0; j < BITS; j++) m[j] = (m[j]! << (BITS - 1 - j)) >>> 0;
    out.push(m);
  }
  return out;
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

export class SobolSequence {
  private readonly v: Uint32Array[];
  private readonly shift: Uint32Array;

  /** `seed === null` gives the plain (unscrambled) sequence, used by tests to compare with references. */
  constructor(
    readonly dim: number,
    seed: number | null,
  ) {
    if (dim < 1 || dim > SOBOL_MAX_DIM) throw new RangeError(`Sobol dimension must be in [1, ${SOBOL_MAX_DIM}]`);
    this.v = directionNumbers(dim);
    this.shift = new Uint32Array(dim);
    if (seed === null) return;
    const rng = Rng.from(seed, 'sobol-scramble');
    for (let d = 0; d < dim; d++) {
      // Lower-triangular (MSB first) GF(2) matrix with unit diagonal: row b mixes bits 0..b.
      const rows = new Uint32Array(BITS);
      for (let b = 0; b < BITS; b++) {
        const above = b === 0 ? 0 : (rng.nextUint32() & ~((1 << (BITS - b)) - 1)) >>> 0;
        rows[b] = (above | (1 << (BITS - 1 - b))) >>> 0;
      }
      const vd = this.v[d]!;
      for (let j = 0; j < BITS; j++) {
        let out = 0;
        for (let b = 0; b < BITS; b++) if (parity(vd[j]! & rows[b]!)) out |= 1 << (BITS - 1 - b);
        vd[j] = out >>> 0;
      }
      this.shift[d] = rng.nextUint32();
    }
  }

  /** The index-th point (Gray-code order, so any index is O(dim·log index) without iterating). */
  point(index: number): Float64Array {
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    const out = new Float64Array(this.dim);
    for (let d = 0; d < this.dim; d++) {
      let x = this.shift[d]!;
      const vd = this.v[d]!;
      for (let j = 0; j < BITS; j++) if ((gray >>> j) & 1) x ^= vd[j]!;
      out[d] = (x >>> 0) / 4294967296;
    }
    return out;
  }

  points(start: number, count: number): Float64Array[] {
    const out: Float64Array[] = [];
    for (let i = 0; i < count; i++) out.push(this.point(start + i));
    return out;
  }
}
