// Turning design points into suggestions: de-duplicate against everything seen, and when the caller gave
// a finite menu, move each point to the nearest menu entry not yet used.
import type { Config } from '../schema.ts';
import type { CandidateMenu } from '../acquisition/optimize.ts';
import { configKey } from '../space.ts';
import type { SamplerContext } from './types.ts';

/** Nearest open menu entry (squared distance in the encoding); null when every entry is excluded. */
export function nearestOpen(ctx: SamplerContext, menu: CandidateMenu, config: Config, dims?: Int32Array): number | null {
  const D = ctx.encoder.dim;
  const x = ctx.encoder.encode(config);
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < menu.configs.length; i++) {
    if (ctx.exclude.has(menu.keys[i]!)) continue;
    let d = 0;
    if (dims) {
      for (const k of dims) d += (x[k]! - menu.X[i * D + k]!) ** 2;
    } else {
      for (let k = 0; k < D; k++) d += (x[k]! - menu.X[i * D + k]!) ** 2;
    }
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best >= 0 ? best : null;
}

/** The config actually suggested for a proposed one, or null if it (or its menu image) is taken. */
export function resolveProposal(ctx: SamplerContext, config: Config, dims?: Int32Array): { config: Config; key: string } | null {
  if (ctx.menu) {
    const i = nearestOpen(ctx, ctx.menu, config, dims);
    return i === null ? null : { config: ctx.menu.configs[i]!, key: ctx.menu.keys[i]! };
  }
  const key = configKey(ctx.space, config);
  return ctx.exclude.has(key) ? null : { config, key };
}
