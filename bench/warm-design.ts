/**
 * The optimizer alone through a long warm initial design, as the service drives it: one target
 * whose results grow by `--count` per ask, 50 priors × 100 results, every memo the service keeps
 * (prior-model cache, prior memo, config memo, observation memo, the target's own cache), the same
 * objects handed back at every call. Prints the median milliseconds per suggest() around each size
 * in `--at`.
 *   npx tsx bench/warm-design.ts [--results 2000] [--count 4] [--at 250,500,1000,2000] [--before 0] [--base <checkout>]
 * `--before`: results of another target on the same priors first, not counted (prior models fitted,
 * per-prior memos filled, as in a service that ran other experiments on these priors); the measured
 * target gets a cache of its own, as each experiment does.
 * `--base`: another checkout of this repository (e.g. a git worktree of an older commit) run on the
 * same requests in the same process, step by step in turn, so machine drift hits both alike; the
 * suggestions of both must be identical (every memo's hit equals recomputing), which is checked.
 */
import { parseArgs } from 'node:util';
import type { Observation, SuggestRequest } from '../optimizers/schema.ts';
import { lcg, MLP_SPACE, mlpObjective, mlpPriors, type MlpConfig } from './support/mlp-task.ts';
import { machine } from './support/neo4j.ts';
import { compared, loadBuilds, pairedStep, type BuildRun } from './support/paired-builds.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '2000' },
    count: { type: 'string', default: '4' },
    at: { type: 'string', default: '250,500,1000,2000' },
    base: { type: 'string' },
    before: { type: 'string', default: '0' },
  },
});
const RESULTS = Number(values.results);
const COUNT = Number(values.count);
const AT = values.at.split(',').map(Number);

const runs = await loadBuilds(values.base);

const r = lcg(17);
const space = MLP_SPACE;
const objective = mlpObjective;
const priors = mlpPriors(r);

/** One target's design up to `results`, its shift of the task moving the optimum. */
function design(results: number, shift: number): void {
  const observations: Observation[] = [];
  for (let step = 0; observations.length < results; step++) {
    const req: SuggestRequest = {
      space,
      direction: 'minimize',
      observations: [...observations],
      count: COUNT,
      seed: step,
      priors,
      metaFeatures: { a: shift, b: 2 * shift },
      settings: { nInitial: 1_000_000 },
    };
    for (const sug of pairedStep(runs, req, step))
      observations.push({ config: sug.config, value: objective(sug.config as MlpConfig, shift), state: 'completed' });
  }
}

if (Number(values.before) > 0) {
  design(Number(values.before), 0.5);
  for (const run of runs) {
    run.ms = [];
    Object.assign(run.opts, run.freshTargetMemo());
  }
}
design(RESULTS, 0.05);

console.log(`warm initial design, 50 priors × 100 results, ${COUNT} per ask — ${machine()}`);
for (const at of AT) {
  const near = (run: BuildRun) => run.ms.filter((x) => Math.abs(x.n - at) <= at * 0.1).map((x) => x.ms);
  console.log(`  ~${at} results: median per suggest ${compared(runs, near)}`);
}
if (runs.length > 1) console.log('  every step: identical suggestions from both builds');
