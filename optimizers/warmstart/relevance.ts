// Per-prior evidence of relevance to the target, gathered in one place for the warm-start samplers.
import type { MetaFeatures } from '../schema.ts';
import type { ModelCache } from '../cache.ts';
import type { TargetData } from '../target.ts';
import type { ProjectedPrior } from './project.ts';
import { priorModel } from './prior-models.ts';
import { combinedSimilarity, metaFeatureCheck, metaFeatureSimilarities, rankingAgreement, type MetaFeatureCheck } from './similarity.ts';

export type PriorRelevance = {
  prior: ProjectedPrior;
  meta?: number;
  perf?: number;
  /** Combined similarity; undefined when there is no evidence at all. */
  similarity?: number;
};

/** Whether meta-feature similarity is used, and the evidence from the priors (see metaFeatureCheck). */
export type MetaFeatureUse = { used: boolean; check?: MetaFeatureCheck };

/** Meta-features decide nothing unless, among the priors themselves, more meta-similar datasets are
 * more alike in performance: rho above two standard errors of a Spearman correlation over that many
 * pairs (pairs share priors, so this bar is lower than a proper test's). Without enough comparable
 * priors to tell, they are trusted, as before. */
export function metaFeatureUse(priors: ProjectedPrior[], targetMeta: MetaFeatures | undefined): MetaFeatureUse {
  if (!targetMeta || !priors.some((p) => p.prior.metaFeatures)) return { used: false };
  const check = metaFeatureCheck(priors.map((p) => ({ id: p.id, metaFeatures: p.prior.metaFeatures, scores: p.lookup })));
  if (!check) return { used: true };
  return { used: check.rho > 2 / Math.sqrt(Math.max(check.pairs - 1, 1)), check };
}

/** Completed target rows and their values (imputed failures excluded: they carry no ranking signal). */
function completedRows(target: TargetData, D: number): { X: Float64Array; y: Float64Array; n: number } {
  const n = target.completed.length;
  const X = new Float64Array(n * D);
  const y = new Float64Array(n);
  target.completed.forEach((r, i) => {
    X.set(target.X.subarray(r * D, (r + 1) * D), i * D);
    y[i] = target.y[r]!;
  });
  return { X, y, n };
}

export function priorRelevance(args: {
  priors: ProjectedPrior[];
  target: TargetData;
  D: number;
  metaFeatures: MetaFeatures | undefined;
  minTarget: number;
  cache: ModelCache | undefined;
  /** From metaFeatureUse; meta-feature similarity is left out when it is not used. Default: used. */
  metaUse?: MetaFeatureUse;
}): PriorRelevance[] {
  const useMeta = args.metaUse?.used ?? true;
  const meta = useMeta
    ? metaFeatureSimilarities(args.metaFeatures ?? undefined, args.priors.map((p) => ({ id: p.id, metaFeatures: p.prior.metaFeatures })))
    : new Map<string, { similarity: number }>();
  const rows = completedRows(args.target, args.D);
  const usePerf = rows.n >= args.minTarget;
  return args.priors.map((prior) => {
    const m = meta.get(prior.id)?.similarity;
    let perf: number | undefined;
    if (usePerf) {
      const fit = priorModel(prior, args.cache);
      if (fit) {
        const a = rankingAgreement(fit.gp.predict(rows.X, rows.n, false).mean, rows.y);
        if (Number.isFinite(a)) perf = a;
      }
    }
    const out: PriorRelevance = { prior };
    if (m !== undefined) out.meta = m;
    if (perf !== undefined) out.perf = perf;
    const s = combinedSimilarity(m, perf);
    if (s !== undefined) out.similarity = s;
    return out;
  });
}
