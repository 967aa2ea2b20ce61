/**
 * Runs the optimizer of this checkout and, optionally, of another one (`--base`, e.g. a git worktree
 * of an older commit) on the same requests in the same process, taking turns step by step so that
 * machine drift hits both alike. Each build keeps its own memos, as one service process would.
 */
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import type { SuggestRequest, Suggestion } from '../../optimizers/schema.ts';
import type { SuggestOptions } from '../../optimizers/suggest.ts';
import { median, percentile } from './neo4j.ts';

type Suggest = (req: SuggestRequest, opts: SuggestOptions) => Suggestion[];
/**
 * `freshTargetMemo`: a new memo for one target experiment, of the build's own kind. `afterCall`: what
 * the service does to the build's memos after every call (older builds kept a fitted target in their
 * cache, which the service dropped so that suggestions stay a function of the request).
 */
export type BuildRun = {
  name: string;
  suggest: Suggest;
  opts: SuggestOptions;
  freshTargetMemo: () => Partial<SuggestOptions>;
  afterCall: (opts: SuggestOptions) => void;
  ms: { n: number; ms: number }[];
};

/** A build's per-experiment memo: a TargetMemo since it exists, a string-keyed map (`targetCache`) in older builds. */
async function targetMemoOf(root: string): Promise<() => Partial<SuggestOptions>> {
  try {
    const { TargetMemo } = (await import(join(root, 'optimizers/target-memo.ts'))) as typeof import('../../optimizers/target-memo.ts');
    return () => ({ targetMemo: new TargetMemo() });
  } catch {
    return () => ({ targetCache: new Map() }) as Partial<SuggestOptions>;
  }
}

/** A build's ModelCache: a class since it has one, a string-keyed map of entry kinds in older builds. */
async function modelCacheOf(root: string): Promise<{ cache: SuggestOptions['cache']; afterCall: (opts: SuggestOptions) => void }> {
  const mod = (await import(join(root, 'optimizers/cache.ts'))) as Partial<typeof import('../../optimizers/cache.ts')>;
  if (typeof mod.ModelCache === 'function') return { cache: new mod.ModelCache(), afterCall: () => {} };
  const dropTarget = (opts: SuggestOptions) => {
    const old = opts.cache as unknown as Map<string, { kind: string }>;
    for (const [k, v] of old) if (v.kind === 'target') old.delete(k);
  };
  return { cache: new Map() as unknown as SuggestOptions['cache'], afterCall: dropTarget };
}

export async function loadBuilds(base: string | undefined): Promise<BuildRun[]> {
  const roots: { name: string; root: string }[] = [{ name: 'this checkout', root: resolve(import.meta.dirname, '../..') }];
  if (base) roots.push({ name: `base ${base}`, root: resolve(base) });
  const runs: BuildRun[] = [];
  for (const { name, root } of roots) {
    const suggest = ((await import(join(root, 'optimizers/suggest.ts'))) as typeof import('../../optimizers/suggest.ts')).suggest;
    const freshTargetMemo = await targetMemoOf(root);
    const { cache, afterCall } = await modelCacheOf(root);
    const opts: SuggestOptions = { cache, priorMemo: new WeakMap(), configMemo: new WeakMap(), observationMemo: new WeakMap(), ...freshTargetMemo() };
    runs.push({ name, suggest, opts, freshTargetMemo, afterCall, ms: [] });
  }
  return runs;
}

/**
 * One request through every build, timed, alternating which goes first; throws unless all suggest
 * the same (every memo's hit must equal recomputing, and a faster path must not change the answer).
 * `after` runs on each build's options after its call (e.g. to drop what the service drops).
 */
export function pairedStep(runs: BuildRun[], req: SuggestRequest, step: number, after?: (opts: SuggestOptions) => void): Suggestion[] {
  let first: Suggestion[] | null = null;
  for (const run of step % 2 ? [...runs].reverse() : runs) {
    const t0 = performance.now();
    const out = run.suggest(req, run.opts);
    run.ms.push({ n: req.observations.length, ms: performance.now() - t0 });
    run.afterCall(run.opts);
    after?.(run.opts);
    if (first === null) first = out;
    else if (!isDeepStrictEqual(out, first)) throw new Error(`step ${step}: the builds suggested differently`);
  }
  return first!;
}

/**
 * "<build> <median> ms, <build> <median> ms; ratio <base/this>×" over the milliseconds `pick` takes
 * from each build's timings, with each build's p95 when `p95` is set.
 */
export function compared(runs: BuildRun[], pick: (run: BuildRun) => number[], p95 = false): string {
  const tail = (xs: number[]) =>
    p95
      ? ` (p95 ${percentile(
          [...xs].sort((a, b) => a - b),
          95,
        ).toFixed(0)})`
      : '';
  const line = runs.map((run) => `${run.name} ${median(pick(run)).toFixed(1)} ms${tail(pick(run))}`).join(', ');
  return runs.length > 1 ? `${line}; ratio ${(median(pick(runs[1]!)) / median(pick(runs[0]!))).toFixed(2)}×` : line;
}
