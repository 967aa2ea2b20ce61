/**
 * The optimizer alone at the service's latency point (bench/suggest-latency.ts): transfer-BO on a
 * target with 100 results, 50 priors × 100 results, one suggestion per ask, and the target GP's
 * hyperparameters handed on from the previous suggestion's provenance as the service does (it keeps
 * no fitted target between asks, so replay sees the same input). Prints the median milliseconds
 * per suggest() and how many priors carried RGPE weight.
 *   npx tsx bench/transfer-step.ts [--asks 60] [--base <checkout>]
 * `--base`: another checkout run on the same requests in turn (see support/paired-builds.ts); the
 * suggestions of both must be identical, which is checked.
 */
import { parseArgs } from 'node:util';
import type { Observation, SuggestRequest } from '../optimizers/index.ts';
import { recordedFit } from '../src/services/history.ts';
import { lcg, MLP_SPACE, mlpObjective, mlpPriors, randomMlpConfig, type MlpConfig } from './support/mlp-task.ts';
import { machine, median } from './support/neo4j.ts';
import { compared, loadBuilds, pairedStep, type BuildRun } from './support/paired-builds.ts';

const { values } = parseArgs({ options: { asks: { type: 'string', default: '60' }, base: { type: 'string' } } });
const ASKS = Number(values.asks);
const runs = await loadBuilds(values.base);

const r = lcg(17);
const priors = mlpPriors(r);
const observations: Observation[] = Array.from({ length: 100 }, () => {
  const config = randomMlpConfig(r);
  return { config, value: mlpObjective(config, 0.05), state: 'completed' as const };
});

let fit: SuggestRequest['targetHyperparameters'];
const weighted: number[] = [];
for (let step = 0; step < ASKS + 1; step++) {
  const req: SuggestRequest = {
    space: MLP_SPACE,
    direction: 'minimize',
    observations: [...observations],
    count: 1,
    seed: step,
    priors,
    metaFeatures: { a: 0.05, b: 0.1 },
    ...(fit ? { targetHyperparameters: fit } : {}),
  };
  const [s] = pairedStep(runs, req, step);
  const model = s!.provenance.model;
  fit = recordedFit(model) ?? fit;
  weighted.push((model?.rgpeWeights ?? []).filter((w) => w.experimentId !== 'target' && w.weight > 0).length);
  observations.push({ config: s!.config, value: mlpObjective(s!.config as MlpConfig, 0.05), state: 'completed' });
}

const after = (keep: (step: number) => boolean) => (run: BuildRun) => run.ms.flatMap((x, step) => (step > 0 && keep(step) ? [x.ms] : []));
const report = (label: string, keep: (step: number) => boolean) => {
  const n = after(keep)(runs[0]!).length;
  if (n > 0) console.log(`  median per suggest, ${label} (${n} asks): ${compared(runs, after(keep), true)}`);
};
console.log(`transfer-BO, target 100 → ${100 + ASKS} results, 50 priors × 100 results, 1 per ask — ${machine()}`);
console.log(`  first call (fits the 50 prior GPs): ${runs.map((run) => `${run.name} ${run.ms[0]!.ms.toFixed(0)} ms`).join(', ')}`);
report('every ask after it', () => true);
// The acquisition scores each candidate under every member with weight > 0: the cost follows them.
report('asks where only the target model had weight', (step) => weighted[step] === 0);
report('asks where priors had weight too', (step) => weighted[step]! > 0);
console.log(`  priors with RGPE weight > 0 per ask: median ${median(weighted.slice(1))}, max ${Math.max(...weighted)}`);
if (runs.length > 1) console.log('  every step: identical suggestions from both builds');
