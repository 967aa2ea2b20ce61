// Public surface of the optimizer package. Everything here is pure: data in, suggestions out.
export { suggest, resolveSettings, type SuggestOptions } from './suggest.ts';
export { ExperimentOptimizer, PriorMemos } from './experiment-optimizer.ts';
export { TargetMemo } from './target-memo.ts';
export * from './schema.ts';
export { OPTIMIZER_VERSION } from './version.ts';
export { ModelCache } from './cache.ts';
export type { PriorMemo, ConfigMemo, ObservationMemo } from './cache.ts';
export {
  activeMask,
  canonicalConfig,
  checkSpace,
  configKey,
  configsEqual,
  enumerateSpace,
  finiteSize,
  validateConfig,
  CANONICAL_DIGITS,
  type ConfigCheck,
  type SpaceIssue,
} from './space.ts';
export { Encoder, INACTIVE_NUMERIC } from './encoding.ts';
export { Rng, deriveSeed } from './random.ts';
export {
  metaFeatureSimilarities,
  rankingAgreement,
  combinedSimilarity,
  type MetaFeatureSimilarity,
} from './warmstart/similarity.ts';
export { sharedParameters } from './warmstart/project.ts';
