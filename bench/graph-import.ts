/**
 * Import throughput into the local Neo4j through the public import path (parse, validate,
 * canonicalize, batched transactional writes).
 *   npx tsx bench/graph-import.ts [--experiments 50] [--trials 1000] [--runs 3]
 * Target (issue 3): ≥ 5,000 trials/s.
 */
import { parseArgs } from 'node:util';
import { ensureProject } from '../graph/repositories/projects.ts';
import { runImport } from '../src/services/transfer.ts';
import { benchGraph, machine, median } from './support/neo4j.ts';

const { values } = parseArgs({
  options: { experiments: { type: 'string', default: '50' }, trials: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } },
});
const E = Number(values.experiments);
const T = Number(values.trials);
const RUNS = Number(values.runs);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function body(run: number): string {
  const r = rng(run + 1);
  const space = [
    { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly', 'linear'] },
    { name: 'C', type: 'float', low: 1e-3, high: 1e3, log: true },
    { name: 'gamma', type: 'float', low: 1e-4, high: 10, log: true, condition: { parent: 'kernel', values: ['rbf'] } },
    { name: 'degree', type: 'int', low: 2, high: 5, log: false, condition: { parent: 'kernel', values: ['poly'] } },
  ];
  const lines: string[] = [];
  for (let e = 0; e < E; e++) {
    const trials = [];
    for (let n = 0; n < T; n++) {
      const kernel = ['rbf', 'poly', 'linear'][Math.floor(r() * 3)] as string;
      trials.push({
        number: n,
        state: 'completed',
        config: {
          kernel,
          C: 10 ** (r() * 6 - 3),
          gamma: kernel === 'rbf' ? 10 ** (r() * 5 - 4) : null,
          degree: kernel === 'poly' ? 2 + Math.floor(r() * 4) : null,
        },
        value: r(),
      });
    }
    lines.push(
      JSON.stringify({
        format: 'precedent.experiment/1',
        dataset: { name: `run${run}-ds${e}`, taskType: 'classification', metaFeatures: { a: r(), b: r() * 100, c: r() } },
        experiment: {
          name: `svm ${e}`,
          model: { name: 'svm', library: 'sklearn' },
          searchSpace: space,
          objective: { metric: 'accuracy', direction: 'maximize' },
          seed: e,
        },
        trials,
      }),
    );
  }
  return lines.join('\n');
}

const { graph, stop } = await benchGraph('import');
try {
  const project = await ensureProject(graph, 'bench-import');
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const text = body(run);
    const t0 = performance.now();
    const res = await runImport(graph, project.id, text);
    const s = (performance.now() - t0) / 1000;
    rates.push(res.trials / s);
    console.error(`run ${run + 1}: ${res.trials} trials in ${E} experiments, ${s.toFixed(2)} s, ${(res.trials / s).toFixed(0)} trials/s`);
  }
  console.log(`import: median ${median(rates).toFixed(0)} trials/s over ${RUNS} runs of ${E}×${T} trials (target ≥ 5000) — ${machine()}`);
} finally {
  await stop();
}
