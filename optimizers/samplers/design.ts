// Shared loop of the space-filling samplers: walk the design from the batch's position (or in the order
// the caller gives), skip points that duplicate earlier trials (or map onto a used menu entry), and only
// repeat a config when nothing else is left, saying so.
import type { ProvenanceStrategy, Suggestion } from '../schema.ts';
import { configKey } from '../space.ts';
import { resolveProposal } from './pick.ts';
import { commit, provenance, type SamplerContext } from './types.ts';

export function designSuggestions(
  ctx: SamplerContext,
  count: number,
  strategy: ProvenanceStrategy,
  unitAt: (index: number) => ArrayLike<number>,
  /** The design's k-th point to try for this batch (default: the batch's position onwards). */
  indexAt: (k: number) => number = (k) => ctx.nSeen + k,
): Suggestion[] {
  const out: Suggestion[] = [];
  let step = 0;
  const maxTries = 2000;
  for (let s = 0; s < count; s++) {
    let picked: Suggestion | null = null;
    for (let t = 0; t < maxTries && !picked; t++, step++) {
      const proposal = resolveProposal(ctx, ctx.encoder.fromParamUnits(unitAt(indexAt(step))));
      if (!proposal) continue;
      commit(ctx, proposal.config, proposal.key);
      picked = { config: proposal.config, provenance: provenance(strategy) };
    }
    if (!picked) {
      const config = ctx.menu ? ctx.menu.configs[(ctx.nSeen + s) % ctx.menu.configs.length]! : ctx.encoder.fromParamUnits(unitAt(indexAt(step++)));
      commit(ctx, config, configKey(ctx.space, config));
      picked = { config, provenance: provenance(strategy, { notes: ['no unseen configuration found; repeating one'] }) };
    }
    out.push(picked);
  }
  return out;
}

/** Each tried configuration's encoding (results, pending trials, this batch so far). */
export function triedEncodings(ctx: SamplerContext): ArrayLike<number>[] {
  const D = ctx.encoder.dim;
  const out: ArrayLike<number>[] = [];
  for (let i = 0; i < ctx.target.n; i++) out.push(ctx.target.X.subarray(i * D, (i + 1) * D));
  out.push(...ctx.target.pendingX, ...ctx.batchPending);
  return out;
}
