// Model-based suggestions: GP-BO on the target alone, or transfer-BO with an RGPE ensemble of prior GPs
// plus the target GP. Pending trials and earlier members of the batch enter as fantasies (kriging
// believer by default), so parallel workers get different configs.
import type { Suggestion } from '../schema.ts';
import { makeAcquisition } from '../acquisition/acquisition.ts';
import { optimizeOverMenu, optimizeOverSpace, type AcqChoice, type ScoreFn } from '../acquisition/optimize.ts';
import { allDims, GaussianProcess } from '../models/gp.ts';
import { fitGP, type FitResult } from '../models/fit.ts';
import { recordedLengthscales } from '../models/lengthscale-summary.ts';
import { GPSurrogate, liarValues, type ModelSummary, type Surrogate } from '../models/surrogate.ts';
import { transformOutputs } from '../models/transforms.ts';
import { deriveSeed, Rng } from '../random.ts';
import { mapConfig } from '../warmstart/project.ts';
import { RgpeSurrogate, rgpeWeights, type EnsembleMember } from '../warmstart/rgpe.ts';
import { commit, provenance, type Sampler, type SamplerContext } from './types.ts';

const RANK_POINTS = 64;
/** Below this many observations the target GP is always refitted (it is cheap). */
const REUSE_MIN_N = 50;
const REUSE_FRACTION = 0.1;

type Built = { surrogate: Surrogate; summary: ModelSummary; notes: string[]; priorInfo: { experimentId: string; weight: number }[]; anchors: Float64Array[] };

/** `fittedN`: the observations the hyperparameters were fitted on (fewer than now when reused). */
function fitTarget(ctx: SamplerContext, notes: string[]): { fit: FitResult; fittedN: number; transform: string; values: Float64Array } | null {
  const t = ctx.target;
  const D = ctx.encoder.dim;
  const tr = transformOutputs(t.y, ctx.settings.outputTransform);
  notes.push(...tr.notes);
  // An earlier fit comes only with the request (recorded history), so the result stays a function of it.
  const given = ctx.warmTarget;
  const warm = given && given.hyper.lengthscales.length === D && given.n <= t.n ? given : undefined;
  const data = { X: t.X, n: t.n, D, y: tr.values, dims: allDims(D) };
  if (warm && warm.n >= REUSE_MIN_N && t.n - warm.n < REUSE_FRACTION * warm.n) {
    // Refit schedule: with many observations one more point barely moves the MAP hyperparameters, and
    // a refit (O(n³) per L-BFGS step) would dominate the call. Reuse them until the data grew by 10%.
    const gp = GaussianProcess.build(data, warm.hyper);
    if (gp) {
      notes.push(`GP hyperparameters reused from the fit at n=${warm.n}`);
      return {
        fit: { gp, hyper: warm.hyper, lml: gp.logMarginalLikelihood(), evaluations: 0, notes: [] },
        fittedN: warm.n,
        transform: tr.name,
        values: tr.values,
      };
    }
  }
  const fit = fitGP(
    data,
    // From a cached optimum a few L-BFGS steps suffice: hyperparameters move little between refits.
    warm
      ? { seed: deriveSeed(ctx.seed, 'target-fit'), restarts: 1, warmStart: warm.hyper, maxIterations: 8 }
      : { seed: deriveSeed(ctx.seed, 'target-fit'), restarts: ctx.settings.fitRestarts },
  );
  if (!fit) return null;
  notes.push(...fit.notes);
  return { fit, fittedN: t.n, transform: tr.name, values: tr.values };
}

/** What the provenance records of the target fit: enough for the next ask to start from it, bounded in size. */
function targetSummary(ctx: SamplerContext, target: NonNullable<ReturnType<typeof fitTarget>>, notes: string[]): Omit<ModelSummary, 'n'> {
  const ls = recordedLengthscales(ctx.encoder, target.fit.hyper.lengthscales);
  if (ls.note) notes.push(ls.note);
  return {
    fittedN: target.fittedN,
    lml: target.fit.lml,
    ...ls.fields,
    signal: target.fit.hyper.signal,
    noise: target.fit.hyper.noise,
    outputTransform: target.transform,
  };
}

function bestRows(ctx: SamplerContext, k: number): Float64Array[] {
  const t = ctx.target;
  const D = ctx.encoder.dim;
  return [...t.completed]
    .sort((a, b) => t.y[a]! - t.y[b]!)
    .slice(0, k)
    .map((r) => t.X.slice(r * D, (r + 1) * D));
}

function buildModel(ctx: SamplerContext, transfer: boolean): Built | { unavailable: string } {
  const t = ctx.target;
  const D = ctx.encoder.dim;
  const notes: string[] = [];
  const nc = t.completed.length;
  if (!transfer && nc < 2) return { unavailable: `GP-BO needs at least 2 completed trials with values (have ${nc})` };
  const target = nc >= 1 ? fitTarget(ctx, notes) : null;
  if (nc >= 1 && !target) {
    if (!transfer) return { unavailable: 'GP fit failed' };
    notes.push('target GP fit failed; using the prior models only');
  }
  const anchors = bestRows(ctx, 5);
  const liar = liarValues(target?.values ?? new Float64Array(0));
  if (!transfer || ctx.priors.length === 0) {
    if (!target) return { unavailable: 'no target model' };
    const summary: ModelSummary = { n: t.n, ...targetSummary(ctx, target, notes) };
    return { surrogate: new GPSurrogate(target.fit.gp, liar, summary), summary, notes, priorInfo: [], anchors };
  }
  // Transfer: RGPE over prior GPs and the target GP.
  const fits = ctx.priors.map((p) => ctx.evidence.model(p));
  const usable = ctx.priors.map((p, i) => ({ p, fit: fits[i] })).filter((u): u is { p: typeof u.p; fit: FitResult } => !!u.fit);
  if (usable.length < ctx.priors.length) notes.push(`${ctx.priors.length - usable.length} prior model(s) could not be fitted and were skipped`);
  const Xc = new Float64Array(nc * D);
  const yc = new Float64Array(nc);
  t.completed.forEach((r, i) => {
    Xc.set(t.X.subarray(r * D, (r + 1) * D), i * D);
    yc[i] = t.y[r]!;
  });
  let weights: number[];
  if (nc >= 2) {
    const loo = target ? target.fit.gp.leaveOneOut().mean : null;
    // Ranking losses cost O(models × samples × pairs); past RANK_POINTS target results a seeded random
    // subset ranks the models just as well.
    const rankRows = Rng.from(ctx.seed, 'rgpe-subset', nc)
      .shuffle(Array.from({ length: nc }, (_, i) => i))
      .slice(0, RANK_POINTS)
      .sort((a, b) => a - b);
    const m = rankRows.length;
    const Xr = new Float64Array(m * D);
    const yr = new Float64Array(m);
    rankRows.forEach((i, k) => {
      Xr.set(Xc.subarray(i * D, (i + 1) * D), k * D);
      yr[k] = yc[i]!;
    });
    const rankKeys = rankRows.map((i) => t.completedKeys[i]!);
    const res = rgpeWeights({
      // Remembered per prior and configuration: each step ranks a new subset of mostly the same results.
      priorPredictions: usable.map((u) => ctx.evidence.meansAt(u.p, { X: Xr, n: m }, rankKeys)!),
      targetLoo: loo ? Float64Array.from(rankRows, (i) => loo[t.completed[i]!]!) : null,
      y: yr,
      samples: ctx.settings.rgpeSamples,
      rng: Rng.from(ctx.seed, 'rgpe', ctx.nSeen),
    });
    weights = res.weights;
    const cut = res.discarded.filter(Boolean).length;
    if (cut > 0)
      notes.push(
        `${cut} prior(s) set to weight 0: they do not rank the target's results reliably better than chance or than the target model (negative-transfer guard)`,
      );
  } else {
    weights = [...usable.map(() => 1 / Math.max(usable.length, 1)), 0];
    notes.push('fewer than 2 target results: RGPE weights cannot be estimated, priors weighted equally');
  }
  const members: EnsembleMember[] = usable.map((u, i) => ({ id: u.p.id, gp: u.fit.gp, weight: weights[i]!, isTarget: false }));
  const targetWeight = weights[usable.length] ?? 0;
  if (target) members.push({ id: 'target', gp: target.fit.gp, weight: targetWeight, isTarget: true });
  else if (usable.length === 0) return { unavailable: 'neither a target model nor prior models' };
  const rgpeWeightsOut = members.map((m) => ({ experimentId: m.id, weight: m.weight }));
  const summary: ModelSummary = {
    n: t.n,
    ...(target ? targetSummary(ctx, target, notes) : {}),
    rgpeWeights: rgpeWeightsOut,
  };
  // Anchor local search at the optima of the priors that carry weight as well as the target's best.
  const half = new Float64Array(ctx.space.length).fill(0.5);
  for (const m of members
    .filter((m) => !m.isTarget && m.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 3)) {
    const p = usable.find((u) => u.p.id === m.id)!.p;
    anchors.push(ctx.encoder.encode(mapConfig(ctx.encoder, new Set(p.shared), p.configs[p.order[0]!]!, half)));
  }
  const surrogate = new RgpeSurrogate(members, Xc, nc, liar, summary);
  const priorInfo = members.filter((m) => !m.isTarget).map((m) => ({ experimentId: m.id, weight: m.weight }));
  return { surrogate, summary, notes, priorInfo, anchors };
}

function makeSampler(transfer: boolean): Sampler {
  return {
    name: transfer ? 'transfer-bo' : 'gp-bo',
    suggest(ctx, count) {
      const built = buildModel(ctx, transfer);
      if ('unavailable' in built) return built;
      let surrogate = built.surrogate;
      const mode = ctx.settings.batch;
      for (const x of [...ctx.target.pendingX, ...ctx.batchPending]) surrogate = surrogate.condition(x, surrogate.fantasyValue(x, mode));
      const out: Suggestion[] = [];
      const strategy = transfer && ctx.priors.length > 0 ? 'transfer-bo' : 'gp-bo';
      for (let s = 0; s < count; s++) {
        const acq = makeAcquisition(ctx.settings.acquisition, surrogate.incumbent, ctx.settings.ucbBeta);
        const current = surrogate;
        const score: ScoreFn = (X, m) => {
          const p = current.predict(X, m);
          const v = new Float64Array(m);
          for (let j = 0; j < m; j++) v[j] = acq.score(p.mean[j]!, p.variance[j]!);
          return v;
        };
        const choice: AcqChoice | null = ctx.menu
          ? optimizeOverMenu(ctx.menu, ctx.encoder, score, ctx.exclude, ctx.busy)
          : optimizeOverSpace({
              encoder: ctx.encoder,
              score,
              seed: deriveSeed(ctx.seed, 'acq', ctx.nSeen, s),
              exclude: ctx.exclude,
              anchors: built.anchors,
              rawSamples: ctx.settings.acqRawSamples,
              localStarts: ctx.settings.acqLocalStarts,
            });
        if (!choice) break;
        commit(ctx, choice.config, choice.key);
        const notes = [...built.notes];
        if (choice.duplicate) notes.push('every candidate has been tried or is pending; repeating the best one');
        if (!Number.isFinite(choice.value)) notes.push('acquisition is -inf everywhere (no expected improvement); pick is effectively arbitrary');
        out.push({
          config: choice.config,
          provenance: provenance(strategy, {
            priors: built.priorInfo,
            acquisition: { name: ctx.settings.acquisition, value: Number.isFinite(choice.value) ? choice.value : -1e308 },
            model: built.summary,
            notes,
          }),
        });
        surrogate = surrogate.condition(choice.x, surrogate.fantasyValue(choice.x, mode));
      }
      return { suggestions: out };
    },
  };
}

export const gpSampler = makeSampler(false);
export const transferSampler = makeSampler(true);
