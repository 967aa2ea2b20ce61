// Per-prior evidence of relevance to the target, gathered in one place for the warm-start samplers:
// meta-feature similarity and the priors' ranking agreement with the target's first results. Pure:
// the agreements are measured by PriorEvidence (optimizers/prior-evidence.ts), which counts them on
// from one request to the next.
import type { MetaFeatures } from '../schema.ts';
import type { TargetData } from '../target.ts';
import type { ProjectedPrior } from './project.ts';
import { combinedSimilarity, metaFeatureSimilarities } from './similarity.ts';

export type PriorRelevance = {
  prior: ProjectedPrior;
  meta?: number;
  perf?: number;
  /** Combined similarity; undefined when there is no evidence at all. */
  similarity?: number;
};

/** Each prior's ranking agreement with the target's first results; `fitted[p]` false for a prior without a model (its agreement means nothing). */
export type Agreements = { fitted: boolean[]; agreements: Float64Array };

/**
 * Performance similarity is measured on the target's first this many completed results (in the
 * request's order) and no more. Ranking agreement over 512 results already compares 130,000 pairs
 * per prior; more results barely move it but cost every ask O(new results × n × priors) pairs and
 * the priors' means at each new configuration, so a long initial design on one experiment got
 * slower with every result. With a bounded set, the similarities stop changing once it is full.
 */
export const MAX_SIMILARITY_RESULTS = 512;

/** The results performance similarity is measured on: the first completed ones, their keys and values. */
export function similarityResults(target: TargetData): { n: number; keys: string[]; y: Float64Array } {
  const n = Math.min(target.completed.length, MAX_SIMILARITY_RESULTS);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = target.y[target.completed[i]!]!;
  return { n, keys: target.completedKeys.slice(0, n), y };
}

/** The encodings of the target's completed results `from`…`n` (imputed failures excluded: they carry no ranking signal). */
export function completedRows(target: TargetData, n: number, D: number, from = 0): { X: Float64Array; n: number } {
  const X = new Float64Array((n - from) * D);
  for (let i = from; i < n; i++) {
    const r = target.completed[i]!;
    X.set(target.X.subarray(r * D, (r + 1) * D), (i - from) * D);
  }
  return { X, n: n - from };
}

/** Whether the target has enough results to measure performance similarity on. */
export function measuresPerformance(target: TargetData, minTarget: number): boolean {
  return Math.min(target.completed.length, MAX_SIMILARITY_RESULTS) >= minTarget;
}

/** Each prior's relevance from its meta-features and `perfs` (null when performance is not measured). */
export function priorRelevance(priors: ProjectedPrior[], metaFeatures: MetaFeatures | undefined, perfs: Agreements | null): PriorRelevance[] {
  const meta = metaFeatureSimilarities(
    metaFeatures ?? undefined,
    priors.map((p) => ({ id: p.id, metaFeatures: p.prior.metaFeatures })),
  );
  return priors.map((prior, p) => {
    const m = meta.get(prior.id)?.similarity;
    let perf: number | undefined;
    if (perfs?.fitted[p]) {
      const a = perfs.agreements[p]!;
      if (Number.isFinite(a)) perf = a;
    }
    const out: PriorRelevance = { prior };
    if (m !== undefined) out.meta = m;
    if (perf !== undefined) out.perf = perf;
    const s = combinedSimilarity(m, perf);
    if (s !== undefined) out.similarity = s;
    return out;
  });
}
