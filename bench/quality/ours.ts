// Baseline random search and our optimizer in its three configurations, run in-process through suggest().
import { resolveSettings, Rng, type Settings } from '../../optimizers/index.ts';
import { runSuggestLoop } from '../tabular/suggest-loop.ts';
import type { Method, RunContext } from './method.ts';

/** Uniform random search without replacement over the task's rows. */
export const randomMethod: Method = {
  name: 'random',
  run: async (ctx) =>
    Rng.from(ctx.seed, 'random-search', ctx.table.task.id)
      .shuffle(ctx.table.configs.map((_, i) => i))
      .slice(0, ctx.budget),
};

/** GP-BO from scratch: Sobol initial design, then GP-BO (strategy auto without priors). */
export const gpMethod: Method = {
  name: 'gp',
  run: async (ctx) => runSuggestLoop({ table: ctx.table, budget: ctx.budget, seed: ctx.seed }).rows,
};

/**
 * The warm initial design alone: the prior portfolio for the first nInitial trials, then plain GP-BO on the
 * target. Compared with `transfer` this isolates what the transfer surrogate adds after the design
 * (strategy 'warm-init' for every trial would instead keep drawing from the portfolio and never model).
 */
export const warmInitMethod: Method = {
  name: 'warm-init',
  run: async (ctx) => designThen(ctx, { strategy: 'warm-init' }, { strategy: 'gp' }),
};

/** The default product behaviour: warm initial design, then the RGPE transfer surrogate (strategy auto with priors). */
export const transferMethod: Method = {
  name: 'transfer',
  run: async (ctx) => runSuggestLoop(loopArgs(ctx)).rows,
};

/**
 * gp's cold Sobol design for the first nInitial trials, then the transfer surrogate: with `warm-init`
 * (the warm design, then plain GP) it tells what the warm design costs or gains from what the transfer
 * model does.
 */
export const transferColdDesignMethod: Method = {
  name: 'transfer-cold-design',
  run: async (ctx) => designThen(ctx, { strategy: 'sobol' }, undefined),
};

/** Transfer with the warm design that explores (opt-in): picks kept this far apart once the portfolio gains nothing. */
export const EXPLORE_SPACING = 0.15;
export const transferExploreMethod: Method = {
  name: 'transfer-explore',
  run: async (ctx) => runSuggestLoop({ ...loopArgs(ctx), settingsAt: () => ({ warmSpacing: EXPLORE_SPACING }) }).rows,
};

/** Transfer whose warm design follows the priors throughout (settings.warmTrust 'given', the behaviour before trust was earned). */
export const transferGivenMethod: Method = {
  name: 'transfer-given',
  run: async (ctx) => runSuggestLoop({ ...loopArgs(ctx), settingsAt: () => ({ warmTrust: 'given' }) }).rows,
};

/** `design` settings for the first nInitial trials (the default initial design's length), `then` after them. */
function designThen(ctx: RunContext, design: Settings, then: Settings | undefined) {
  const nInitial = resolveSettings(undefined, ctx.table.suite.searchSpace.length).nInitial;
  return runSuggestLoop({ ...loopArgs(ctx), settingsAt: (t) => (t < nInitial ? design : then) }).rows;
}

function loopArgs(ctx: RunContext) {
  return { table: ctx.table, budget: ctx.budget, seed: ctx.seed, priors: ctx.priors, metaFeatures: ctx.metaFeatures, cache: ctx.cache };
}
