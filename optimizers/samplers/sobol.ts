import { SobolSequence, SOBOL_MAX_DIM } from '../design/sobol.ts';
import { uniformPoints } from '../design/random.ts';
import type { Suggestion } from '../schema.ts';
import { distance } from '../warmstart/explore.ts';
import { designSuggestions, triedEncodings } from './design.ts';
import type { Sampler, SamplerContext } from './types.ts';

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

/** Past this many tried configurations the design continues from the batch's position (matching is quadratic). */
const MAX_MATCHED = 256;

/**
 * The Sobol' design around what was tried: each tried configuration stands in for the design point
 * nearest to it, and the batch takes the points nobody stands in for, in the sequence's order. The
 * points are the experiment's first nInitial (or tried + count, if more); closest pairs are matched
 * first, so a configuration that came from the design keeps its own point. So a warm design whose
 * picks from the priors are followed by this is the cold Sobol' design with each pick in place of the
 * design point nearest to it. Resuming at the batch's position instead (as the plain Sobol' sampler
 * does) dropped the sequence's first points and kept the ones next to the priors' picks.
 */
export function sobolAround(ctx: SamplerContext, count: number): Suggestion[] {
  const dim = Math.max(ctx.space.length, 1);
  const tried = triedEncodings(ctx);
  if (dim > SOBOL_MAX_DIM || tried.length > MAX_MATCHED) {
    const plain = sobolSampler.suggest(ctx, count);
    return 'suggestions' in plain ? plain.suggestions : [];
  }
  const seq = new SobolSequence(dim, ctx.seed);
  const W = Math.max(ctx.settings.nInitial, tried.length + count);
  const points = Array.from({ length: W }, (_, i) => ctx.encoder.encode(ctx.encoder.fromParamUnits(seq.point(i))));
  const pairs: { d: number; t: number; i: number }[] = [];
  tried.forEach((x, t) => {
    for (let i = 0; i < W; i++) pairs.push({ d: distance(x, points[i]!), t, i });
  });
  pairs.sort((a, b) => a.d - b.d || a.t - b.t || a.i - b.i);
  const standsIn = new Uint8Array(tried.length);
  const taken = new Uint8Array(W);
  for (const { t, i } of pairs) {
    if (standsIn[t] || taken[i]) continue;
    standsIn[t] = 1;
    taken[i] = 1;
  }
  const free: number[] = [];
  for (let i = 0; i < W; i++) if (!taken[i]) free.push(i);
  return designSuggestions(
    ctx,
    count,
    'sobol',
    (i) => seq.point(i),
    (k) => (k < free.length ? free[k]! : W + k - free.length),
  );
}
