import { SobolSequence, SOBOL_MAX_DIM } from '../design/sobol.ts';
import { uniformPoints } from '../design/random.ts';
import { designSuggestions } from './design.ts';
import type { Sampler } from './types.ts';

/** Scrambled Sobol' design. Point k of the experiment is the k-th point of the sequence seeded by the
 * request seed, so successive calls with the same seed continue one low-discrepancy design. */
export const sobolSampler: Sampler = {
  name: 'sobol',
  suggest(ctx, count) {
    const dim = Math.max(ctx.space.length, 1);
    if (dim > SOBOL_MAX_DIM) {
      const suggestions = designSuggestions(ctx, count, 'random', (i) => uniformPoints(1, dim, ctx.seed, i)[0]!);
      for (const s of suggestions) s.provenance.notes.push(`more than ${SOBOL_MAX_DIM} parameters: Sobol unavailable, used random`);
      return { suggestions };
    }
    const seq = new SobolSequence(dim, ctx.seed);
    return { suggestions: designSuggestions(ctx, count, 'sobol', (i) => seq.point(i)) };
  },
};
