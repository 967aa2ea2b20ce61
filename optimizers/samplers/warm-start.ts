// Initial design from prior experiments: meta-feature-ranked best configs (MI-SMBO) when the target and
// some prior have meta-features, otherwise a greedy portfolio. Either way, once the target has a few
// results the priors are re-ranked/re-weighted by how well they predict them.
import type { Config, Suggestion } from '../schema.ts';
import { configKey } from '../space.ts';
import { SobolSequence, SOBOL_MAX_DIM } from '../design/sobol.ts';
import { uniformPoints } from '../design/random.ts';
import { deriveSeed } from '../random.ts';
import { similarityOrderedProposals } from '../warmstart/initial-design.ts';
import { candidateLosses, GreedyPortfolio, portfolioCandidates, triedLosses } from '../warmstart/portfolio.ts';
import { priorRelevance, type PriorRelevance } from '../warmstart/relevance.ts';
import { resolveProposal } from './pick.ts';
import { sobolSampler } from './sobol.ts';
import { commit, provenance, type Sampler, type SamplerContext } from './types.ts';

function filler(ctx: SamplerContext): (slot: number) => ArrayLike<number> {
  const dim = Math.max(ctx.space.length, 1);
  const seed = deriveSeed(ctx.seed, 'warm-fill');
  if (dim > SOBOL_MAX_DIM) return (slot) => uniformPoints(1, dim, seed, slot)[0]!;
  // Built at the first fill: most calls need none (kept candidates never do), and building it was
  // a visible part of a warm initial design's cost.
  let seq: SobolSequence | undefined;
  return (slot) => (seq ??= new SobolSequence(dim, seed)).point(slot);
}

function describe(r: PriorRelevance, weight: number): { experimentId: string; similarity?: number; weight: number } {
  return r.similarity === undefined ? { experimentId: r.prior.id, weight } : { experimentId: r.prior.id, similarity: r.similarity, weight };
}

function similarityDesign(ctx: SamplerContext, rel: PriorRelevance[], count: number): Suggestion[] {
  const ranked = [...rel].sort((a, b) => (b.similarity ?? -Infinity) - (a.similarity ?? -Infinity));
  const byId = new Map(ranked.map((r) => [r.prior.id, r] as const));
  const out: Suggestion[] = [];
  for (const prop of similarityOrderedProposals(
    ctx.encoder,
    ranked.map((r) => r.prior),
    filler(ctx),
  )) {
    if (out.length >= count) break;
    const picked = resolveProposal(ctx, prop.config, ctx.menu ? prop.prior.dims : undefined);
    if (!picked) continue;
    commit(ctx, picked.config, picked.key);
    const r = byId.get(prop.prior.id)!;
    const trialId = prop.prior.trialIds[prop.row];
    out.push({
      config: picked.config,
      provenance: provenance('warm-start', {
        priors: [describe(r, 1)],
        sourceTrials: [trialId === undefined ? { experimentId: prop.prior.id, weight: 1 } : { experimentId: prop.prior.id, trialId, weight: 1 }],
        notes: prop.prior.shared.length < ctx.space.length ? [`parameters not in prior '${prop.prior.id}' filled from the Sobol design`] : [],
      }),
    });
  }
  return out;
}

/** Portfolio weights: uniform over the top-K priors by similarity (all priors when there is no evidence
 * yet, as in auto-sklearn 2.0), dropping priors that rank the target's results worse than chance. Ranks
 * rather than raw similarities because meta-feature and ranking similarities live on different scales. */
export function portfolioWeights(rel: PriorRelevance[]): number[] {
  const P = rel.length;
  const evidence = rel.some((r) => r.similarity !== undefined);
  if (!evidence) return rel.map(() => 1 / P);
  const K = Math.max(3, Math.ceil(P / 4));
  const eligible = rel.map((r, i) => ({ i, s: r.similarity ?? -Infinity, ok: r.perf === undefined || r.perf > 0.5 }));
  const top = eligible
    .filter((e) => e.ok)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, K);
  const w = new Array<number>(P).fill(0);
  for (const e of top) w[e.i] = 1 / top.length;
  return top.length > 0 ? w : rel.map(() => 1 / P);
}

/**
 * What the target tried (results, pending trials, this batch so far) as the configurations their
 * encodings decode to, with their keys. Decoding and keying every tried configuration at every ask
 * was a fifth of a long initial design's cost: each is remembered in the caller's config memo.
 */
function triedConfigs(ctx: SamplerContext): { config: Config; key: string }[] {
  const { encoder, target } = ctx;
  const D = encoder.dim;
  const decoded = (x: ArrayLike<number>) => {
    const config = encoder.decode(x);
    return { config, key: configKey(encoder.space, config) };
  };
  const out: { config: Config; key: string }[] = [];
  for (let i = 0; i < target.n + target.pendingX.length; i++) {
    const memo = target.rowMemos[i];
    if (memo?.decoded) {
      out.push(memo.decoded);
      continue;
    }
    const x = i < target.n ? target.X.subarray(i * D, (i + 1) * D) : target.pendingX[i - target.n]!;
    out.push(memo ? (memo.decoded = decoded(x)) : decoded(x));
  }
  for (const x of ctx.batchPending) out.push(decoded(x));
  return out;
}

function portfolioDesign(ctx: SamplerContext, rel: PriorRelevance[], count: number): Suggestion[] {
  const P = rel.length;
  const priors = rel.map((r) => r.prior);
  const anyPerf = rel.some((r) => r.perf !== undefined);
  const weights = portfolioWeights(rel);
  const perPrior = Math.max(5, Math.ceil((2 * (count + ctx.nSeen)) / P));
  const cands = portfolioCandidates(ctx.encoder, priors, perPrior, filler(ctx), ctx.cache);
  const matrix = candidateLosses(ctx.encoder, cands, priors, ctx.cache, weights);
  const current = triedLosses(ctx.encoder, triedConfigs(ctx), priors, ctx.cache, ctx.targetCache, weights);
  const greedy = new GreedyPortfolio(matrix, P, weights, current, cands.length, (k) => !ctx.exclude.has(cands[k]!.key));
  const out: Suggestion[] = [];
  const priorList = rel.map((r, p) => describe(r, weights[p]!)).filter((d) => d.weight > 0);
  while (out.length < count) {
    const i = greedy.next();
    if (i < 0) break;
    const c = cands[i]!;
    const picked = resolveProposal(ctx, c.config, ctx.menu ? c.prior.dims : undefined);
    if (!picked) {
      greedy.undo();
      continue;
    }
    commit(ctx, picked.config, picked.key);
    const trialId = c.prior.trialIds[c.row];
    out.push({
      // A copy: kept candidates (see portfolioCandidates) are shared with later requests.
      config: { ...picked.config },
      provenance: provenance('portfolio', {
        priors: priorList,
        sourceTrials: [trialId === undefined ? { experimentId: c.prior.id, weight: 1 } : { experimentId: c.prior.id, trialId, weight: 1 }],
        notes: anyPerf
          ? ['priors weighted by how well they rank the target results']
          : rel.some((r) => r.meta !== undefined)
            ? ['priors weighted by meta-feature similarity']
            : [],
      }),
    });
  }
  return out;
}

export const warmStartSampler: Sampler = {
  name: 'warm-start',
  suggest(ctx, count) {
    if (ctx.priors.length === 0) return { unavailable: 'no usable prior experiments' };
    const rel = priorRelevance({
      priors: ctx.priors,
      target: ctx.target,
      encoder: ctx.encoder,
      metaFeatures: ctx.metaFeatures,
      minTarget: ctx.settings.minTargetForSimilarity,
      cache: ctx.cache,
      targetCache: ctx.targetCache,
    });
    const useNearest = ctx.settings.warmInit === 'nearest-best' && rel.some((r) => r.similarity !== undefined);
    const suggestions = useNearest ? similarityDesign(ctx, rel, count) : portfolioDesign(ctx, rel, count);
    if (suggestions.length < count) {
      const rest = sobolSampler.suggest(ctx, count - suggestions.length);
      if ('suggestions' in rest) {
        for (const s of rest.suggestions) s.provenance.notes.push('prior configurations exhausted; continued with the Sobol design');
        suggestions.push(...rest.suggestions);
      }
    }
    return { suggestions };
  },
};
