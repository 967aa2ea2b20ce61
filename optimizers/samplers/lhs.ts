import { latinHypercube } from '../design/lhs.ts';
import { designSuggestions } from './design.ts';
import type { Sampler } from './types.ts';

/** Latin hypercube over the initial-design budget (nInitial, or more if the batch runs past it). */
export const lhsSampler: Sampler = {
  name: 'lhs',
  suggest(ctx, count) {
    const dim = Math.max(ctx.space.length, 1);
    const size = Math.max(ctx.settings.nInitial, ctx.nSeen + count, 1);
    const pts = latinHypercube(size, dim, ctx.seed);
    // Past the design's end (duplicates skipped), fall back to fresh LHS blocks rather than repeating.
    return { suggestions: designSuggestions(ctx, count, 'lhs', (i) => pts[i] ?? latinHypercube(size, dim, ctx.seed + Math.floor(i / size))[i % size]!) };
  },
};
