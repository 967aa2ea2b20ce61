/**
 * Cost of the suggestion service's incremental history read (readHistorySince) as an experiment
 * grows: with the (experimentId, changedSeq) index it follows what changed, not the trial count.
 *   npx tsx bench/history-read.ts [--sizes 100,100,1000,5000] [--reads 200]
 * (100 twice: the first size also warms the JVM up.)
 * Prints, per experiment size, the median wall time of a read of one new trial and the read's
 * database hits from PROFILE (deterministic, machine-independent).
 */
import { int } from 'neo4j-driver';
import { parseArgs } from 'node:util';
import { ensureProject } from '../graph/repositories/projects.ts';
import * as history from '../graph/repositories/history.ts';
import { createTrials } from '../graph/repositories/trials.ts';
import type { SearchSpace } from '../optimizers/schema.ts';
import { prepareConfig } from '../src/services/configs.ts';
import { runImport } from '../src/services/transfer.ts';
import { benchGraph, machine, median } from './support/neo4j.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,100,1000,5000' }, reads: { type: 'string', default: '200' } } });
const SIZES = values.sizes.split(',').map(Number);
const READS = Number(values.reads);
const space: SearchSpace = [{ name: 'x', type: 'float', low: 0, high: 1, log: false }];

const { graph, stop } = await benchGraph('history-read');
try {
  const { id: projectId } = await ensureProject(graph, 'bench-history');
  console.log(`incremental history read of one new trial, ${READS} reads per size — ${machine()}`);
  for (const size of SIZES) {
    const line = JSON.stringify({
      format: 'precedent.experiment/1',
      dataset: { name: `history-${size}`, taskType: 'classification', metaFeatures: { a: 1 } },
      experiment: {
        name: `history-${size}`,
        model: { name: 'history' },
        searchSpace: space,
        objective: { metric: 'loss', direction: 'minimize' },
        seed: 1,
        status: 'running',
        warmStart: { mode: 'off' },
      },
      trials: Array.from({ length: size }, (_, n) => ({ number: n, state: 'completed', config: { x: (n + 0.5) / size }, value: n })),
    });
    const id = (await runImport(graph, projectId, line)).experiments[0]!.experimentId;
    const ms: number[] = [];
    let seq = (await history.readHistory(graph, projectId, id)).eventSeq;
    for (let i = 0; i < READS; i++) {
      const { config, hash } = prepareConfig(space, { x: Math.random() });
      await createTrials(graph, projectId, id, [{ config, configHash: hash, state: 'completed', value: 0.5, proposedBy: 'person', strategy: 'manual' }]);
      const t0 = performance.now();
      // The creation was event seq + 1: reading from there finds exactly the new trial.
      const delta = await history.readHistorySince(graph, projectId, id, seq + 1);
      ms.push(performance.now() - t0);
      if (delta.trials.length !== 1) throw new Error(`expected one changed trial, read ${delta.trials.length}`);
      seq = delta.eventSeq;
    }
    // Database hits where the statement is exported (it is not before the changedSeq index, so the
    // same file runs on an older checkout as the baseline for the wall times; the parameters are
    // given in both shapes, top-level lists before and one map of lists since).
    const statement = (history as Record<string, unknown>).HISTORY_SINCE;
    let hits = '';
    if (typeof statement === 'string') {
      const res = await graph.driver.executeQuery(
        `PROFILE ${statement}`,
        { id, projectId, since: int(seq), priorIds: [], priorProjects: [projectId], priors: { ids: [], projects: [projectId] } },
        { database: graph.database },
      );
      type Plan = { dbHits: number; children: Plan[] };
      const total = (p: Plan): number => p.dbHits + p.children.reduce((a, c) => a + total(c), 0);
      hits = `, ${total(res.summary.profile as unknown as Plan)} db hits`;
    }
    console.log(`  ${String(size).padStart(5)} trials: median ${median(ms).toFixed(2)} ms${hits}`);
  }
} finally {
  await stop();
}
