import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { modelExperimentLine } from '../support/experiment-line.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(() => graph.close());

const space = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'y', type: 'float', low: 0, high: 1, log: false },
];
const f = (c: { x: number; y: number }) => (c.x - 0.3) ** 2 + (c.y - 0.7) ** 2 + 0.1 * Math.sin(9 * c.x);

describe('the target GP is refitted as its data grow, when hyperparameters come from the recorded history', () => {
  it('reuses the fit at n=60 until the data grew by 10%, then refits at n=66 and reuses that one', async () => {
    const { id: projectId } = await ensureProject(graph, `refit-schedule-${Date.now()}`);
    const trials = Array.from({ length: 60 }, (_, n) => {
      const config = { x: ((n * 0.618) % 1) * 0.98 + 0.01, y: ((n * 0.382 + 0.1) % 1) * 0.98 + 0.01 };
      return { config, value: f(config) };
    });
    const line = modelExperimentLine('refit', space, trials, 5);
    const experimentId = (await runImport(graph, projectId, line)).experiments[0]!.experimentId;
    // A fresh service per ask: the hyperparameters can only come from the recorded provenance.
    const seen: { n: number; fittedN: number | undefined; reused: string | undefined }[] = [];
    for (let i = 0; i < 8; i++) {
      const service = new SuggestionService(graph);
      const [trial] = (await service.suggest(projectId, experimentId, 1)).trials;
      const model = (trial!.provenance as { model?: { n: number; fittedN?: number } }).model;
      seen.push({ n: model!.n, fittedN: model!.fittedN, reused: /reused from the fit at n=(\d+)/.exec(trial!.reason ?? '')?.[1] });
      await completeTrial(graph, projectId, trial!.id, { value: f(trial!.config as { x: number; y: number }) });
    }
    expect(seen.map((s) => s.n)).toEqual([60, 61, 62, 63, 64, 65, 66, 67]);
    expect(seen.map((s) => s.fittedN)).toEqual([60, 60, 60, 60, 60, 60, 66, 66]);
    expect(seen.map((s) => s.reused)).toEqual([undefined, '60', '60', '60', '60', '60', undefined, '66']);
  });
});
