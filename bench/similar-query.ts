/**
 * Similar-experiments latency with 10,000 datasets and 10,000 experiments in the graph,
 * through the HTTP layer (fastify inject: routing, validation, serialization, Neo4j).
 *   npx tsx bench/similar-query.ts [--datasets 10000] [--queries 300]
 * Target (issue 3): p95 ≤ 20 ms.
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { listDatasets } from '../graph/repositories/datasets.ts';
import { createKey } from '../graph/repositories/keys.ts';
import { awaitIndexes } from '../graph/schema/migrate.ts';
import { runImport } from '../src/services/transfer.ts';
import { benchGraph, machine, percentile } from './support/neo4j.ts';

const { values } = parseArgs({
  options: { datasets: { type: 'string', default: '10000' }, queries: { type: 'string', default: '300' }, keep: { type: 'boolean', default: false } },
});
const N = Number(values.datasets);
const Q = Number(values.queries);

let s = 12345;
const r = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 4294967296;
};

const FEATURES = 24;
const space = [
  { name: 'C', type: 'float', low: 1e-3, high: 1e3, log: true },
  { name: 'gamma', type: 'float', low: 1e-4, high: 10, log: true },
];
// Datasets come in clusters, like real collections (many small tabular sets, a few large ones).
const centers = Array.from({ length: 50 }, () => Array.from({ length: FEATURES }, () => r() * 10));
function metaFeatures(): Record<string, number> {
  const c = centers[Math.floor(r() * centers.length)] as number[];
  return Object.fromEntries(c.map((v, i) => [`mf_${i}`, v + (r() - 0.5)]));
}

const { graph, stop } = await benchGraph('similar');
try {
  const { secret: key, projectId } = await createKey(graph, 'bench-similar', 'bench');
  const project = { id: projectId };
  const t0 = performance.now();
  const BATCH = 1000;
  for (let b = 0; b < N; b += BATCH) {
    const lines = [];
    for (let i = b; i < Math.min(N, b + BATCH); i++) {
      lines.push(
        JSON.stringify({
          format: 'precedent.experiment/1',
          dataset: { name: `ds-${i}`, taskType: 'classification', metaFeatures: metaFeatures() },
          experiment: {
            name: `svm ${i}`,
            model: { name: i % 5 === 0 ? 'xgboost' : 'svm' },
            searchSpace: space,
            objective: { metric: 'accuracy', direction: 'maximize' },
            seed: i,
          },
          trials: Array.from({ length: 5 }, (_, n) => ({
            number: n,
            state: 'completed',
            config: { C: 10 ** (r() * 6 - 3), gamma: 10 ** (r() * 5 - 4) },
            value: r(),
          })),
        }),
      );
    }
    await runImport(graph, project.id, lines.join('\n'));
    console.error(`loaded ${Math.min(N, b + BATCH)} / ${N}`);
  }
  await awaitIndexes(graph);
  console.error(`loaded ${N} datasets + experiments in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const app = await buildApp({ graph });
  const headers = { authorization: `Bearer ${key}` };
  const ids = (await listDatasets(graph, project.id, { limit: 2000, offset: 0 })).items.map((d) => d.id);
  const call = async (payload: object) => {
    const t = performance.now();
    const res = await app.inject({ method: 'POST', url: '/v1/similar-experiments', headers, payload });
    if (res.statusCode !== 200) throw new Error(res.body);
    return { ms: performance.now() - t, n: res.json().items.length as number };
  };
  for (let i = 0; i < 30; i++) await call({ datasetId: ids[i], model: 'svm', k: 10 });
  const byDataset: number[] = [];
  const byMeta: number[] = [];
  for (let i = 0; i < Q; i++) {
    byDataset.push((await call({ datasetId: ids[Math.floor(r() * ids.length)], model: 'svm', k: 10 })).ms);
    byMeta.push((await call({ metaFeatures: metaFeatures(), k: 10 })).ms);
  }
  await app.close();
  const fmt = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
  };
  console.log(`similar-experiments over ${N} datasets/experiments, ${Q} queries each (target p95 ≤ 20 ms) — ${machine()}`);
  console.log(`  by datasetId + model filter, k=10: ${fmt(byDataset)}`);
  console.log(`  by raw meta-features, k=10:       ${fmt(byMeta)}`);
} finally {
  if (values.keep)
    console.error(`--keep: the bench server stays up in .neo4j/bench-similar-${process.pid} (npm run neo4j:stop does not manage it; kill its pid)`);
  else await stop();
}
