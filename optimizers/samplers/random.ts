import { uniformPoints } from '../design/random.ts';
import { designSuggestions } from './design.ts';
import type { Sampler } from './types.ts';

/** Uniform random search (Bergstra & Bengio 2012): the reference point and the last-resort fallback. */
export const randomSampler: Sampler = {
  name: 'random',
  suggest(ctx, count) {
    const dim = Math.max(ctx.space.length, 1);
    return { suggestions: designSuggestions(ctx, count, 'random', (i) => uniformPoints(1, dim, ctx.seed, i)[0]!) };
  },
};
