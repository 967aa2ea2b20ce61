// Entry point: validate the request, build the shared context, decide which sampler serves each slot of
// the batch, and fall back (saying so in the provenance notes) when a sampler cannot run.
import { SuggestRequestSchema, type Observation, type Settings, type SuggestRequest, type Suggestion } from './schema.ts';
import type { ConfigMemo, ModelCache, ObservationMemo, PriorMemo } from './cache.ts';
import type { TargetMemo } from './target-memo.ts';
import { Encoder } from './encoding.ts';
import { columnLengthscales } from './models/lengthscale-summary.ts';
import { buildMenu, type CandidateMenu } from './acquisition/optimize.ts';
import { canonicalConfig, checkSpace, configKey, enumerateSpace, finiteSize, validateConfig } from './space.ts';
import { prepareTarget } from './target.ts';
import type { ProjectedPrior } from './warmstart/project.ts';
import { PriorEvidence } from './prior-evidence.ts';
import { gpSampler, transferSampler } from './samplers/gp.ts';
import { lhsSampler } from './samplers/lhs.ts';
import { randomSampler } from './samplers/random.ts';
import { sobolSampler } from './samplers/sobol.ts';
import { warmStartSampler } from './samplers/warm-start.ts';
import { provenance, type ResolvedSettings, type Sampler, type SamplerContext } from './samplers/types.ts';

export type SuggestOptions = {
  /** Optional memo kept by the caller between calls (see cache.ts); never required for correctness. */
  cache?: ModelCache;
  /** Optional memo of prior objects passed again (see PriorMemo in cache.ts). */
  priorMemo?: PriorMemo;
  /** Optional memo of target configuration objects passed again (see ConfigMemo in cache.ts). */
  configMemo?: ConfigMemo;
  /** Optional memo of target observation objects passed again (see ObservationMemo in cache.ts). */
  observationMemo?: ObservationMemo;
  /**
   * Optional memo kept by the caller for one target experiment, one per experiment (never shared
   * between experiments): work that follows the target's results from call to call, such as the
   * priors' ranking agreement with them. Like `cache`, a hit equals recomputing.
   */
  targetMemo?: TargetMemo;
};

/**
 * The request validated. Priors the memo already holds are not validated again: a warm-started
 * request carries dozens of priors with a hundred results each, and checking them all at every call
 * cost as much as the rest of an initial-design suggestion. Likewise for observations the
 * observation memo holds, and configurations the config memo holds (an observation whose trial
 * changed state is a new object around the same configuration).
 */
function validate(request: SuggestRequest, options: SuggestOptions): SuggestRequest {
  const { priorMemo: memo, configMemo, observationMemo } = options;
  // WeakMap.get answers undefined for anything that is not an object, so malformed input falls through to zod.
  const given = memo && Array.isArray(request?.priors) ? (request.priors as object[]) : undefined;
  const remembered = given?.map((p) => memo!.get(p)?.parsed);
  const observations = (configMemo || observationMemo) && Array.isArray(request?.observations) ? (request.observations as unknown[]) : undefined;
  const knownObservations = observations?.map((o) => observationMemo?.get(o as object));
  // Observations whose config the memo holds are checked with an empty config and get the remembered one back.
  const knownConfigs = observations?.map((o, i) =>
    !knownObservations![i] && configMemo && o !== null && typeof o === 'object'
      ? configMemo.get((o as { config?: object }).config as object)?.parsed
      : undefined,
  );
  const fresh = observations?.flatMap((_o, i) => (knownObservations![i] ? [] : [i])) ?? [];
  let toParse: unknown = request;
  if (given && remembered) toParse = { ...request, priors: given.filter((_, i) => !remembered[i]) };
  if (observations && knownConfigs)
    toParse = { ...(toParse as object), observations: fresh.map((i) => (knownConfigs[i] ? { ...(observations[i] as object), config: {} } : observations[i])) };
  const parsed = SuggestRequestSchema.safeParse(toParse);
  if (!parsed.success) {
    // Reported against the request as given, so paths index the caller's own priors and observations.
    const full = SuggestRequestSchema.safeParse(request);
    throw new Error(`invalid suggest request: ${(full.error ?? parsed.error).message}`);
  }
  let data = parsed.data;
  if (observations && knownObservations && knownConfigs) {
    const all = knownObservations.slice() as Observation[];
    parsed.data.observations.forEach((o, k) => {
      const i = fresh[k]!;
      const known = knownConfigs[i];
      if (known) o.config = known;
      else if (configMemo) {
        const entry = { parsed: o.config, bySpace: new Map() };
        configMemo.set((observations[i] as { config: object }).config, entry);
        configMemo.set(o.config, entry);
      }
      observationMemo?.set(observations[i] as object, o);
      all[i] = o;
    });
    data = { ...data, observations: all };
  }
  if (!given || !remembered || !memo) return data;
  const freshPriors = data.priors ?? [];
  let k = 0;
  const priors = given.map((p, i) => {
    const hit = remembered[i];
    if (hit) return hit;
    const v = freshPriors[k++]!;
    const entry = { parsed: v, projections: new Map<string, ProjectedPrior | null>() };
    memo.set(p, entry);
    memo.set(v, entry);
    return v;
  });
  return { ...data, priors };
}

/** Finite spaces up to this size are enumerated and treated as a menu, so de-duplication is exact. */
const ENUMERATE_LIMIT = 4096;

export function resolveSettings(settings: Settings | undefined, nParams: number): ResolvedSettings {
  const s = settings ?? {};
  return {
    strategy: s.strategy ?? 'auto',
    nInitial: s.nInitial ?? Math.min(10, Math.max(5, 2 * nParams)),
    acquisition: s.acquisition ?? 'logei',
    ucbBeta: s.ucbBeta ?? 4,
    batch: s.batch ?? 'kriging-believer',
    outputTransform: s.outputTransform ?? 'auto',
    fitRestarts: s.fitRestarts ?? 3,
    acqRawSamples: s.acqRawSamples ?? 256,
    acqLocalStarts: s.acqLocalStarts ?? 3,
    rgpeSamples: s.rgpeSamples ?? 128,
    minTargetForSimilarity: s.minTargetForSimilarity ?? 3,
    warmInit: s.warmInit ?? 'portfolio',
    warmSpacing: s.warmSpacing ?? 0,
    warmTrust: s.warmTrust ?? 'earned',
    maxPriorObservations: s.maxPriorObservations ?? 100,
  };
}

/**
 * Whether a request may fit a model (GP-BO, transfer-BO) rather than only draw a design: the calls
 * whose cost grows with the data (cubic in the observations, linear in the encoded width), which a
 * caller may want to run away from its event loop. Read off the request as given, before validation.
 */
export function mayFitModel(request: Pick<SuggestRequest, 'settings' | 'space' | 'observations' | 'count'>): boolean {
  const settings = resolveSettings(request.settings, request.space.length);
  if (settings.strategy === 'gp' || settings.strategy === 'transfer') return true;
  if (settings.strategy !== 'auto') return false;
  return request.count > Math.max(0, settings.nInitial - request.observations.length);
}

function run(chain: Sampler[], ctx: SamplerContext, count: number): Suggestion[] {
  const reasons: string[] = [];
  for (const sampler of chain) {
    const res = sampler.suggest(ctx, count);
    if ('suggestions' in res) {
      if (reasons.length > 0) for (const s of res.suggestions) s.provenance.notes.unshift(...reasons.map((r) => `${r}; fell back to ${sampler.name}`));
      return res.suggestions;
    }
    reasons.push(res.unavailable);
  }
  return [];
}

function buildCandidateMenu(req: SuggestRequest, encoder: Encoder, notes: string[]): CandidateMenu | null {
  if (req.candidates) {
    const seen = new Set<string>();
    const configs = [];
    let invalid = 0;
    for (const c of req.candidates) {
      if (!validateConfig(req.space, c).ok) {
        invalid++;
        continue;
      }
      const canon = canonicalConfig(req.space, c);
      const key = configKey(req.space, canon);
      if (seen.has(key)) continue;
      seen.add(key);
      configs.push(canon);
    }
    if (invalid > 0) notes.push(`${invalid} candidate(s) do not validate against the space and were dropped`);
    if (configs.length > 0) return buildMenu(encoder, configs);
    notes.push('no valid candidates given; searching the whole space');
  }
  if (finiteSize(req.space, ENUMERATE_LIMIT) <= ENUMERATE_LIMIT) return buildMenu(encoder, enumerateSpace(req.space));
  return null;
}

/**
 * The earlier target fit a request hands in, per encoded column. A per-parameter summary of another
 * space gives no columns: like per-column figures of the wrong length, it is still the request's fit,
 * so it starts nothing and keeps the caller's cache out (the request takes precedence).
 */
function earlierTargetFit(encoder: Encoder, given: SuggestRequest['targetHyperparameters']): SamplerContext['warmTarget'] {
  if (!given) return undefined;
  const lengthscales = given.lengthscales ?? columnLengthscales(encoder, given.lengthscalesByParameter ?? []) ?? [];
  return { hyper: { lengthscales, signal: given.signal, noise: given.noise }, n: given.n };
}

/** Suggest `count` configs for the target experiment, each with its provenance. Deterministic: the same
 * request (and cache contents) gives the same suggestions. Throws only on a malformed request or space. */
export function suggest(request: SuggestRequest, options: SuggestOptions = {}): Suggestion[] {
  const req = validate(request, options);
  // Size limits are the service's policy (it checks them when a space is declared): only structure here.
  const issues = checkSpace(req.space, { maxChoices: Number.POSITIVE_INFINITY, maxWidth: Number.POSITIVE_INFINITY });
  if (issues.length > 0) throw new Error(`invalid search space: ${issues.map((i) => `${i.parameter}: ${i.reason}`).join('; ')}`);
  const settings = resolveSettings(req.settings, req.space.length);
  if (req.space.length === 0) {
    return Array.from({ length: req.count }, () => ({ config: {}, provenance: provenance('random', { notes: ['empty search space'] }) }));
  }
  const encoder = new Encoder(req.space);
  const notes: string[] = [];
  const target = prepareTarget(encoder, req.direction, req.observations, options.configMemo, options.targetMemo);
  notes.push(...target.notes);
  const menu = buildCandidateMenu(req, encoder, notes);
  const evidence = new PriorEvidence(encoder, options.cache, options.targetMemo);
  const priors: ProjectedPrior[] = [];
  const projectionKey = options.priorMemo ? JSON.stringify([req.space, settings.maxPriorObservations]) : '';
  for (const p of req.priors ?? []) {
    const memo = options.priorMemo?.get(p);
    let proj = memo?.projections.get(projectionKey);
    if (proj === undefined) {
      proj = evidence.projection(p, { maxObservations: settings.maxPriorObservations });
      memo?.projections.set(projectionKey, proj);
    }
    if (proj) priors.push(proj);
    else notes.push(`prior '${p.id}' ignored: no shared parameters or fewer than 2 finite results`);
  }
  const ctx: SamplerContext = {
    space: req.space,
    encoder,
    direction: req.direction,
    seed: req.seed,
    settings,
    target,
    // The target's own set, made for this call: copying thousands of keys per ask is avoidable.
    exclude: target.keys,
    busy: new Set(req.observations.filter((o) => o.state === 'pending').map((o) => configKey(req.space, o.config))),
    batchPending: [],
    warmTarget: earlierTargetFit(encoder, req.targetHyperparameters),
    menu,
    priors,
    metaFeatures: req.metaFeatures ?? undefined,
    evidence,
    nSeen: req.observations.length,
  };
  const hasPriors = priors.length > 0;
  const design: Sampler = hasPriors ? warmStartSampler : sobolSampler;
  const model: Sampler = hasPriors ? transferSampler : gpSampler;
  const out: Suggestion[] = [];
  const serve = (chain: Sampler[], count: number): void => {
    if (count <= 0) return;
    const got = run(chain, ctx, count);
    out.push(...got);
    ctx.nSeen += got.length;
  };
  switch (settings.strategy) {
    case 'random':
      serve([randomSampler], req.count);
      break;
    case 'sobol':
      serve([sobolSampler, randomSampler], req.count);
      break;
    case 'lhs':
      serve([lhsSampler, randomSampler], req.count);
      break;
    case 'warm-init':
      serve([warmStartSampler, sobolSampler, randomSampler], req.count);
      break;
    case 'gp':
      serve([gpSampler, sobolSampler, randomSampler], req.count);
      break;
    case 'transfer':
      serve([transferSampler, gpSampler, design, randomSampler], req.count);
      break;
    default: {
      const designSlots = Math.max(0, Math.min(req.count, settings.nInitial - req.observations.length));
      serve([design, sobolSampler, randomSampler], designSlots);
      serve([model, design, sobolSampler, randomSampler], req.count - out.length);
    }
  }
  // A sampler that ran out (e.g. a tiny menu) leaves slots: fill them rather than return fewer.
  if (out.length < req.count) serve([randomSampler], req.count - out.length);
  for (const s of out) s.provenance.notes.push(...notes);
  return out;
}
