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
export type BuildRun = { name: string; suggest: Suggest; opts: SuggestOptions; ms: { n: number; ms: number }[] };

export async function loadBuilds(base: string | undefined): Promise<BuildRun[]> {
  const builds: { name: string; suggest: Suggest }[] = [{ name: 'this checkout', suggest: (await import('../../optimizers/suggest.ts')).suggest }];
  if (base) builds.push({ name: `base ${base}`, suggest: (await import(join(resolve(base), 'optimizers/suggest.ts'))).suggest });
  return builds.map((b) => ({
    ...b,
    opts: { cache: new Map(), priorMemo: new WeakMap(), configMemo: new WeakMap(), observationMemo: new WeakMap(), targetCache: new Map() },
    ms: [],
  }));
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
