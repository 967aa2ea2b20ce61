import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(() => graph.close());

const float = (name: string) => ({ name, type: 'float', low: 0, high: 1, log: false });
const XYZ = [float('x'), float('y'), float('z')];

/** An experiment as a JSON Lines import record: `trials` completed results on its space. */
function line(
  name: string,
  dataset: { name: string; metaFeatures: Record<string, number> },
  space: typeof XYZ,
  trials: number,
  warmStart: unknown,
  metric = 'auc',
) {
  return JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { ...dataset, taskType: 'classification' },
    experiment: {
      name,
      model: { name: 'gbm' },
      searchSpace: space,
      objective: { metric, direction: 'maximize' },
      seed: 1,
      status: 'running',
      warmStart,
      optimizer: { warmTrust: 'given' },
    },
    trials: Array.from({ length: trials }, (_, n) => {
      const config = Object.fromEntries(space.map((p, d) => [p.name, ((n + 0.5 + d / 3) / trials) % 1]));
      return { number: n, state: 'completed', config, value: 0.9 - Math.abs(config.x! - 0.3) };
    }),
  });
}

describe('which prior experiments a warm start chooses', () => {
  it('skips priors with nothing completed before taking maxPriors, and weighs dataset similarity by search-space overlap', async () => {
    const { id: projectId } = await ensureProject(graph, `prior-choice-${Date.now()}`);
    const same = { name: 'churn', metaFeatures: { rows: 1000, cols: 20 } };
    const near = { name: 'churn-eu', metaFeatures: { rows: 1200, cols: 22 } };
    const far = { name: 'images', metaFeatures: { rows: 60000, cols: 784 } };
    const off = { mode: 'off' };
    const lines = [
      // Same dataset and space, but nothing completed: nothing to learn from.
      line('started, nothing done', same, XYZ, 0, off),
      // Same dataset, one of the three parameters.
      line('one parameter', same, [float('x')], 6, off),
      // A similar dataset, all three parameters: the prior to learn from.
      line('similar dataset', near, XYZ, 6, off),
      line('far dataset', far, XYZ, 6, off),
      line('target', same, XYZ, 0, { mode: 'auto', maxPriors: 1 }),
    ];
    const imported = await runImport(graph, projectId, lines.join('\n'));
    const [, , similar, , target] = imported.experiments.map((e) => e.experimentId);
    const { trials } = await new SuggestionService(graph).suggest(projectId, target!, 1);
    const priors = (trials[0]!.provenance as { priors: { experimentId: string }[] }).priors.map((p) => p.experimentId);
    expect(priors).toEqual([similar]);
  });

  it('says why an automatic warm start found nothing when only the metric name differs', async () => {
    const { id: projectId } = await ensureProject(graph, `prior-choice-metric-${Date.now()}`);
    const churn = { name: 'churn', metaFeatures: { rows: 1000, cols: 20 } };
    const imported = await runImport(
      graph,
      projectId,
      [
        line('named metric', churn, XYZ, 6, { mode: 'off' }),
        // As an Optuna study without metric names is recorded: the default metric.
        line('study', churn, XYZ, 0, { mode: 'auto' }, 'objective'),
      ].join('\n'),
    );
    const study = imported.experiments[1]!.experimentId;
    const { trials } = await new SuggestionService(graph).suggest(projectId, study, 1);
    const provenance = trials[0]!.provenance as { priors: unknown[]; notes: string[] };
    expect(provenance.priors).toEqual([]);
    expect(provenance.notes.join('; ')).toContain("no past experiment of model 'gbm' with metric 'objective' has results, but 1 with metric 'auc' do");
  });
});
