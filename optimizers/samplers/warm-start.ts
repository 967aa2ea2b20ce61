// Initial design from prior experiments: meta-feature-ranked best configs (MI-SMBO) when the target and
// some prior have meta-features, otherwise a greedy portfolio. Either way, once the target has a few
// results the priors are re-ranked/re-weighted by how well they predict them.
import type { Config, Suggestion } from '../schema.ts';
import { configKey } from '../space.ts';
import { SobolSequence, SOBOL_MAX_DIM } from '../design/sobol.ts';
import { uniformPoints } from '../design/random.ts';
import { deriveSeed } from '../random.ts';
import { similarityOrderedProposals } from '../warmstart/initial-design.ts';
import {
  type Branch,
  chooseOption,
  distance,
  EXPLORE_POINTS,
  type ExploreOption,
  inBranch,
  intoBranch,
  unevaluatedBranches,
  VANISHED_GAIN,
  weightedLosses,
  weightedRowLoss,
} from '../warmstart/explore.ts';
import { GreedyPortfolio } from '../warmstart/portfolio.ts';
import { measuresPerformance, priorRelevance, type PriorRelevance } from '../warmstart/relevance.ts';
import { triedEncodings } from './design.ts';
import { resolveProposal } from './pick.ts';
import { sobolAround } from './sobol.ts';
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

/** Scrambled Sobol' points in parameter units, seeded by the request and `label`. */
function exploreUnits(ctx: SamplerContext, label: string, count: number): ArrayLike<number>[] {
  const dim = Math.max(ctx.space.length, 1);
  const seed = deriveSeed(ctx.seed, label);
  if (dim > SOBOL_MAX_DIM) return uniformPoints(count, dim, seed, 0);
  const seq = new SobolSequence(dim, seed);
  return Array.from({ length: count }, (_, i) => seq.point(i));
}

/** Options from proposed configurations: each resolved (to an open menu entry with a menu), de-duplicated, scored and measured. */
function exploreOptions(
  ctx: SamplerContext,
  proposals: Config[],
  losses: ArrayLike<number>,
  design: ArrayLike<number>[],
  dimsOf: (at: number) => Int32Array | undefined = () => undefined,
): (ExploreOption & { at: number })[] {
  const out: (ExploreOption & { at: number })[] = [];
  const seen = new Set<string>();
  proposals.forEach((c, at) => {
    const picked = resolveProposal(ctx, c, dimsOf(at));
    if (!picked || seen.has(picked.key)) return;
    seen.add(picked.key);
    const x = ctx.encoder.encode(picked.config);
    let dmin = Infinity;
    for (const y of design) dmin = Math.min(dmin, distance(x, y));
    out.push({ config: picked.config, key: picked.key, x, loss: losses[at]!, dmin, at });
  });
  return out;
}

function distanceNote(o: ExploreOption, radius: number): string {
  if (o.dmin === Infinity) return 'nothing tried yet';
  return o.dmin >= radius
    ? `at least ${radius} (unit encoding) from every tried configuration (nearest ${o.dmin.toFixed(3)})`
    : `no candidate is ${radius} (unit encoding) from every tried configuration: the farthest one (${o.dmin.toFixed(3)})`;
}

const EXHAUSTED = 'prior configurations exhausted; continued with the Sobol design';

/** Whether the design follows the priors only as far as they earn it (settings.warmTrust; the exploring design has rules of its own). */
const earnsTrust = (ctx: SamplerContext): boolean => ctx.settings.warmTrust === 'earned' && ctx.settings.warmSpacing === 0;

/**
 * The portfolio's picks, and the note for the Sobol picks that fill the rest of the batch (if any).
 * `measured`: whether the target has enough results to measure the priors' ranking of them.
 */
function portfolioDesign(ctx: SamplerContext, rel: PriorRelevance[], count: number, measured: boolean): { suggestions: Suggestion[]; rest: string } {
  const P = rel.length;
  const priors = rel.map((r) => r.prior);
  const anyPerf = rel.some((r) => r.perf !== undefined);
  const weights = portfolioWeights(rel);
  const perPrior = Math.max(5, Math.ceil((2 * (count + ctx.nSeen)) / P));
  const cands = ctx.evidence.candidates(priors, perPrior, filler(ctx));
  const matrix = ctx.evidence.candidateLosses(cands, priors, weights);
  const tried = triedConfigs(ctx);
  const current = ctx.evidence.triedLosses(tried, priors, weights);
  const greedy = new GreedyPortfolio(matrix, P, weights, current, cands.length, (k) => !ctx.exclude.has(cands[k]!.key));
  const earned = earnsTrust(ctx);
  let rest = EXHAUSTED;
  const out: Suggestion[] = [];
  const priorList = rel.map((r, p) => describe(r, weights[p]!)).filter((d) => d.weight > 0);
  const weighting = anyPerf
    ? ['priors weighted by how well they rank the target results']
    : rel.some((r) => r.meta !== undefined)
      ? ['priors weighted by meta-feature similarity']
      : [];
  const sourceOf = (c: (typeof cands)[number]) => {
    const trialId = c.prior.trialIds[c.row];
    return [trialId === undefined ? { experimentId: c.prior.id, weight: 1 } : { experimentId: c.prior.id, trialId, weight: 1 }];
  };
  // Exploring (settings.warmSpacing > 0): what the design holds so far (tried and picked), for the
  // diversity picks and branch coverage. Off, the greedy goes on in the priors' order.
  const radius = ctx.settings.warmSpacing;
  const explore = radius > 0;
  const design = explore ? triedEncodings(ctx) : [];
  let uncovered = explore ? unevaluatedBranches(ctx.space, priors, weights).filter((b) => !tried.some((t) => inBranch(ctx.space, t.config, b))) : [];
  // Diversity picks, once the greedy's gain has vanished: the priors' top configurations (a wider
  // list than the greedy's) and Sobol' points, built at the first such pick.
  let vanished = false;
  let pool: { options: (ExploreOption & { at: number })[]; wide: typeof cands } | undefined;
  const add = (s: Suggestion) => {
    out.push(s);
    if (!explore) return;
    const x = ctx.encoder.encode(s.config);
    design.push(x);
    if (pool) for (const q of pool.options) q.dmin = Math.min(q.dmin, distance(q.x, x));
    uncovered = uncovered.filter((b) => !inBranch(ctx.space, s.config, b));
  };
  const diversityPick = (): Suggestion | null => {
    if (!pool) {
      const wide = ctx.evidence.candidates(priors, Math.max(perPrior, Math.ceil(EXPLORE_POINTS / P)), filler(ctx));
      const m = ctx.evidence.candidateLosses(wide, priors, weights);
      const sobol = exploreUnits(ctx, 'warm-explore', EXPLORE_POINTS).map((u) => ctx.encoder.fromParamUnits(u));
      const proposals = [...wide.map((c) => c.config), ...sobol];
      const losses = Float64Array.from(proposals, (_, i) => (i < wide.length ? weightedRowLoss(m, i, P, weights) : 0));
      losses.set(
        weightedLosses(ctx.encoder, sobol, priors, weights, (p) => ctx.evidence.model(p)),
        wide.length,
      );
      // A prior's configuration is matched to the menu on the prior's own columns, as the greedy's are.
      const dimsOf = (at: number) => (ctx.menu && at < wide.length ? wide[at]!.prior.dims : undefined);
      pool = { options: exploreOptions(ctx, proposals, losses, design, dimsOf), wide };
    }
    const { options, wide } = pool;
    const k = chooseOption(options, radius, (i) => !ctx.exclude.has(options[i]!.key));
    if (k < 0) return null;
    const o = options[k]!;
    const why = `diversity pick: no configuration adds to the portfolio any more, so the one the priors rate best ${distanceNote(o, radius)}`;
    commit(ctx, o.config, o.key);
    if (o.at < wide.length) {
      const c = wide[o.at]!;
      return { config: { ...o.config }, provenance: provenance('portfolio', { priors: priorList, sourceTrials: sourceOf(c), notes: [...weighting, why] }) };
    }
    return {
      config: { ...o.config },
      provenance: provenance('sobol', {
        priors: priorList,
        notes: [`space-filling pick in the warm design: a Sobol point; ${why.replace('diversity pick: ', '')}`],
      }),
    };
  };
  const branchPick = (b: Branch): Suggestion | null => {
    const units = exploreUnits(ctx, `warm-branch:${b.param}=${JSON.stringify(b.value)}`, EXPLORE_POINTS).map((u) => intoBranch(ctx.space, u, b));
    let proposals = units.map((u) => ctx.encoder.fromParamUnits(u));
    if (ctx.menu) {
      // The menu's open entries in the branch nearest to the points (a nearest entry elsewhere is not in it).
      const menu = ctx.menu;
      const D = ctx.encoder.dim;
      const inside = menu.configs.flatMap((c, i) => (!ctx.exclude.has(menu.keys[i]!) && inBranch(ctx.space, c, b) ? [i] : []));
      proposals =
        inside.length === 0
          ? []
          : proposals.map((c) => {
              const x = ctx.encoder.encode(c);
              let best = inside[0]!;
              let bestD = Infinity;
              for (const i of inside) {
                const d = distance(x, menu.X.subarray(i * D, (i + 1) * D));
                if (d < bestD) [best, bestD] = [i, d];
              }
              return menu.configs[best]!;
            });
    }
    const options = exploreOptions(
      ctx,
      proposals,
      weightedLosses(ctx.encoder, proposals, priors, weights, (p) => ctx.evidence.model(p)),
      design,
    ).filter((o) => inBranch(ctx.space, o.config, b));
    const k = chooseOption(options, radius);
    if (k < 0) return null;
    const o = options[k]!;
    commit(ctx, o.config, o.key);
    return {
      config: { ...o.config },
      provenance: provenance('sobol', {
        priors: priorList,
        notes: [
          `space-filling pick in the warm design: covers ${b.param} = ${JSON.stringify(b.value)}, which no weighted prior evaluated; of ${EXPLORE_POINTS} Sobol points there, the one the priors rate best ${distanceNote(o, radius)}`,
        ],
      }),
    };
  };
  while (out.length < count) {
    // Branches no prior evaluated come right after the design's first configuration.
    if (design.length > 0 && uncovered.length > 0) {
      const b = uncovered[0]!;
      const s = branchPick(b);
      if (s) add(s);
      else uncovered = uncovered.slice(1);
      continue;
    }
    if (!vanished) {
      const i = greedy.next();
      if (i >= 0 && earned && !anyPerf && greedy.lastGain <= VANISHED_GAIN) {
        // The priors' picks add nothing more, and no result has yet shown that they rank this target.
        rest = measured
          ? "the priors' best configurations are in the design and no prior's ranking of the target results could be measured (e.g. all results are equal); continued with the Sobol design"
          : `the priors' best configurations are in the design and the target has fewer than ${ctx.settings.minTargetForSimilarity} results to judge the priors by; continued with the Sobol design`;
        break;
      }
      if (i >= 0 && (!explore || greedy.lastGain > VANISHED_GAIN)) {
        const c = cands[i]!;
        const picked = resolveProposal(ctx, c.config, ctx.menu ? c.prior.dims : undefined);
        if (!picked) {
          greedy.undo();
          continue;
        }
        commit(ctx, picked.config, picked.key);
        // A copy: kept candidates (see PriorEvidence.candidates) are shared with later requests.
        add({ config: { ...picked.config }, provenance: provenance('portfolio', { priors: priorList, sourceTrials: sourceOf(c), notes: [...weighting] }) });
        continue;
      }
      if (i >= 0) greedy.undo();
      vanished = true;
    }
    if (!explore) break;
    const s = diversityPick();
    if (!s) break;
    add(s);
  }
  return { suggestions: out, rest };
}

export const warmStartSampler: Sampler = {
  name: 'warm-start',
  suggest(ctx, count) {
    if (ctx.priors.length === 0) return { unavailable: 'no usable prior experiments' };
    const measured = measuresPerformance(ctx.target, ctx.settings.minTargetForSimilarity);
    const rel = priorRelevance(ctx.priors, ctx.metaFeatures, measured ? ctx.evidence.agreements(ctx.target, ctx.priors) : null);
    // Priors that rank the target's results no better than chance are not followed.
    if (earnsTrust(ctx) && rel.some((r) => r.perf !== undefined) && !rel.some((r) => r.perf !== undefined && r.perf > 0.5)) {
      const suggestions = sobolAround(ctx, count);
      for (const s of suggestions) s.provenance.notes.push('no prior ranks the target results better than chance; continued with the Sobol design');
      return { suggestions };
    }
    const useNearest = ctx.settings.warmInit === 'nearest-best' && rel.some((r) => r.similarity !== undefined);
    const { suggestions, rest } = useNearest ? { suggestions: similarityDesign(ctx, rel, count), rest: EXHAUSTED } : portfolioDesign(ctx, rel, count, measured);
    if (suggestions.length < count) {
      for (const s of sobolAround(ctx, count - suggestions.length)) {
        s.provenance.notes.push(rest);
        suggestions.push(s);
      }
    }
    return { suggestions };
  },
};
