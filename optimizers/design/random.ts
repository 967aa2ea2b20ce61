// Independent uniform points; the baseline every other design must beat.
import { Rng } from '../random.ts';

export function uniformPoints(count: number, dim: number, seed: number, start = 0): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    // One stream per index so point k is the same whatever `start`/`count` window asked for it.
    const rng = Rng.from(seed, 'uniform', start + i);
    const p = new Float64Array(dim);
    for (let d = 0; d < dim; d++) p[d] = rng.uniform();
    out.push(p);
  }
  return out;
}
