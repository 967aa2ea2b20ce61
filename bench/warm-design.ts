/**
 * The optimizer alone through a long warm initial design, as the service drives it: one target
 * whose results grow by `--count` per ask, 50 priors × 100 results, every memo the service keeps
 * (prior-model cache, prior memo, config memo, the target's own cache), the same objects handed
 * back at every call. Prints the median milliseconds per suggest() around each size in `--at`.
 *   npx tsx bench/warm-design.ts [--results 2000] [--count 4] [--at 250,500,1000,2000] [--base <checkout>]
 * `--base`: another checkout of this repository (e.g. a git worktree of an older commit) run on the
 * same requests in the same process, step by step in turn, so machine drift hits both alike; the
 * suggestions of both must be identical (every memo's hit equals recomputing), which is checked.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import type { Observation, PriorExperiment, SuggestRequest, Suggestion } from '../optimizers/schema.ts';
import type { SuggestOptions } from '../optimizers/suggest.ts';
import { lcg, MLP_SPACE, mlpObjective, randomMlpConfig, type MlpConfig } from './support/mlp-task.ts';
import { machine, median } from './support/neo4j.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '2000' },
    count: { type: 'string', default: '4' },
    at: { type: 'string', default: '250,500,1000,2000' },
    base: { type: 'string' },
  },
});
const RESULTS = Number(values.results);
const COUNT = Number(values.count);
const AT = values.at.split(',').map(Number);

type Suggest = (req: SuggestRequest, opts: SuggestOptions) => Suggestion[];
const builds: { name: string; suggest: Suggest }[] = [{ name: 'this checkout', suggest: (await import('../optimizers/suggest.ts')).suggest }];
if (values.base) builds.push({ name: `base ${values.base}`, suggest: (await import(join(resolve(values.base), 'optimizers/suggest.ts'))).suggest });

const r = lcg(17);
const space = MLP_SPACE;
const objective = mlpObjective;
const randomConfig = () => randomMlpConfig(r);
const priors: PriorExperiment[] = Array.from({ length: 50 }, (_, i) => {
  const shift = (i % 10) / 10;
  return {
    id: `prior-${i}`,
    direction: 'minimize',
    space,
    metaFeatures: { a: shift, b: shift * 2 },
    observations: Array.from({ length: 100 }, (_, n) => {
      const config = randomConfig();
      return { id: `prior-${i}-${n}`, config, value: objective(config, shift), state: 'completed' as const };
    }),
  };
});

// Each build keeps its own memos, as one service process would; the requests are the same objects.
const runs = builds.map((b) => ({
  ...b,
  opts: { cache: new Map(), priorMemo: new WeakMap(), configMemo: new WeakMap(), targetCache: new Map() } as SuggestOptions,
  ms: [] as { n: number; ms: number }[],
}));
const observations: Observation[] = [];
for (let step = 0; observations.length < RESULTS; step++) {
  const req: SuggestRequest = { space, direction: 'minimize', observations: [...observations], count: COUNT, seed: step, priors, metaFeatures: { a: 0.05, b: 0.1 }, settings: { nInitial: 1_000_000 } };
  let first: Suggestion[] | null = null;
  for (const run of step % 2 ? [...runs].reverse() : runs) {
    const t0 = performance.now();
    const out = run.suggest(req, run.opts);
    run.ms.push({ n: observations.length, ms: performance.now() - t0 });
    if (first === null) first = out;
    else if (!isDeepStrictEqual(out, first)) throw new Error(`step ${step}: the builds suggested differently`);
  }
  for (const sug of first!) observations.push({ config: sug.config, value: objective(sug.config as MlpConfig, 0.05), state: 'completed' });
}

console.log(`warm initial design, 50 priors × 100 results, ${COUNT} per ask — ${machine()}`);
for (const at of AT) {
  const near = (xs: { n: number; ms: number }[]) => xs.filter((x) => Math.abs(x.n - at) <= at * 0.1).map((x) => x.ms);
  const line = runs.map((run) => `${run.name} ${median(near(run.ms)).toFixed(1)} ms`).join(', ');
  const ratio = runs.length > 1 ? `; ratio ${(median(near(runs[1]!.ms)) / median(near(runs[0]!.ms))).toFixed(2)}×` : '';
  console.log(`  ~${at} results: median per suggest ${line}${ratio}`);
}
if (runs.length > 1) console.log('  every step: identical suggestions from both builds');
