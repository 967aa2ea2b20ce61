// Per-prior evidence of relevance to the target, gathered in one place for the warm-start samplers.
import type { MetaFeatures } from '../schema.ts';
import type { ModelCache } from '../cache.ts';
import type { TargetData } from '../target.ts';
import type { ProjectedPrior } from './project.ts';
import { priorModel } from './prior-models.ts';
import { combinedSimilarity, metaFeatureSimilarities, rankingAgreement } from './similarity.ts';

export type PriorRelevance = {
  prior: ProjectedPrior;
  meta?: number;
  perf?: number;
  /** Combined similarity; undefined when there is no evidence at all. */
  similarity?: number;
};

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
}): PriorRelevance[] {
  const meta = metaFeatureSimilarities(args.metaFeatures ?? undefined, args.priors.map((p) => ({ id: p.id, metaFeatures: p.prior.metaFeatures })));
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
