// Issue 26: a model-based suggestion's provenance does not grow with a categorical's choices. The GP
// has one lengthscale per choice; the provenance records one per parameter past a width, and the next
// ask's fit still starts from it (a fresh service per ask, so it can only come from the graph).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { MAX_RECORDED_COLUMNS } from '../../optimizers/models/lengthscale-summary.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { modelExperimentLine } from '../support/experiment-line.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(() => graph.close());

const CHOICES = 500;
const space = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false },
  { name: 'word', type: 'categorical', choices: Array.from({ length: CHOICES }, (_, i) => `w${i}`) },
];
type C = { x: number; word: string };
const f = (c: C) => (c.x - 0.3) ** 2 + (Number(c.word.slice(1)) % 7) / 20;

describe('provenance of bounded size', () => {
  it(`records lengthscales per parameter for a ${CHOICES}-choice categorical, and the next ask reuses that fit`, async () => {
    const { id: projectId } = await ensureProject(graph, `provenance-size-${Date.now()}`);
    const trials = Array.from({ length: 60 }, (_, n) => {
      const config = { x: ((n * 0.618) % 1) * 0.98 + 0.01, word: `w${(n * 37) % CHOICES}` };
      return { config, value: f(config) };
    });
    const line = modelExperimentLine('wide', space, trials, 3);
    const experimentId = (await runImport(graph, projectId, line)).experiments[0]!.experimentId;
    const asked = [];
    for (let i = 0; i < 2; i++) {
      const [trial] = (await new SuggestionService(graph).suggest(projectId, experimentId, 1)).trials;
      asked.push(trial!);
      await completeTrial(graph, projectId, trial!.id, { value: f(trial!.config as C) });
    }
    const [first, second] = asked.map((t) => t.provenance as { strategy: string; notes: string[]; model: Record<string, unknown> });
    expect(first!.strategy).toBe('gp-bo');
    expect(first!.model.lengthscales).toBeUndefined();
    expect(first!.model.lengthscalesByParameter).toEqual([
      { parameter: 'x', lengthscale: expect.any(Number) },
      { parameter: 'word', lengthscale: expect.any(Number) },
    ]);
    expect(first!.notes.join('\n')).toContain(`${CHOICES + 1} columns (more than ${MAX_RECORDED_COLUMNS})`);
    const bytes = JSON.stringify(asked[0]!.provenance).length;
    // Per column it was ~20 bytes a choice (10 KB here, 19 MB at a million choices).
    expect(bytes).toBeLessThan(2_000);
    expect(second!.model.fittedN).toBe(60);
    expect(second!.notes.join('\n')).toContain('GP hyperparameters reused from the fit at n=60');
    console.log(`provenance-size: ${CHOICES} choices → provenance ${bytes} bytes`);
  });
});
