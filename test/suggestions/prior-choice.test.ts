import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { updateSettings } from '../../graph/repositories/settings.ts';
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
      return { number: n, state: 'completed', config, value: 0.9 - Math.abs(config[space[0]!.name]! - 0.3) };
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
    const service = new SuggestionService(graph);
    const notesOfNextAsk = async () => {
      const { trials } = await service.suggest(projectId, study, 1);
      const provenance = trials[0]!.provenance as { priors: unknown[]; notes: string[] };
      expect(provenance.priors).toEqual([]);
      return provenance.notes.join('; ');
    };
    expect(await notesOfNextAsk()).toContain("no past experiment of model 'gbm' with metric 'objective' has results, but 1 with metric 'auc' do");
    // Switched off, warm start has nothing to explain: the note does not linger.
    await updateSettings(graph, projectId, study, { warmStart: { mode: 'off' } }, null);
    expect(await notesOfNextAsk()).not.toContain('no warm start');
  });

  it('does not blame the metric when experiments with the same metric have results but share no parameter', async () => {
    const { id: projectId } = await ensureProject(graph, `prior-choice-overlap-${Date.now()}`);
    const churn = { name: 'churn', metaFeatures: { rows: 1000, cols: 20 } };
    const imported = await runImport(
      graph,
      projectId,
      [
        line('other parameters', churn, [float('a')], 6, { mode: 'off' }),
        line('other metric', churn, XYZ, 6, { mode: 'off' }, 'objective'),
        line('target', churn, XYZ, 0, { mode: 'auto' }),
      ].join('\n'),
    );
    const { trials } = await new SuggestionService(graph).suggest(projectId, imported.experiments[2]!.experimentId, 1);
    expect((trials[0]!.provenance as { notes: string[] }).notes.join('; ')).not.toContain('no warm start');
  });
});
