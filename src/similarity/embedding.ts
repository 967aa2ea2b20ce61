/**
 * The vector stored for the Dataset vector index. Meta-feature sets differ between datasets
 * (user-given names, profiler versions), and the index needs one fixed dimension, so names are
 * feature-hashed into EMBEDDING_DIMENSIONS signed slots (Weinberger et al. 2009). Values are
 * squashed with sign(x)·ln(1+|x|) so counts in the millions do not drown ratios in [0, 1].
 * No population statistics are involved, so a stored vector never goes stale; the index only
 * has to retrieve good candidates, and the exact, per-feature-normalized ranking happens after.
 */
export const EMBEDDING_DIMENSIONS = 64;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export const squash = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

export function metaFeatureEmbedding(metaFeatures: Record<string, number>): number[] | null {
  const names = Object.keys(metaFeatures).filter((k) => Number.isFinite(metaFeatures[k]));
  if (names.length === 0) return null;
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  for (const name of names) {
    const h = fnv1a(name);
    const slot = h % EMBEDDING_DIMENSIONS;
    const sign = (h >>> 31) & 1 ? -1 : 1;
    v[slot] = (v[slot] as number) + sign * squash(metaFeatures[name] as number);
  }
  return v;
}
