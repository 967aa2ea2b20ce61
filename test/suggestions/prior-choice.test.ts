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

const churn = { name: 'churn', metaFeatures: { rows: 1000, cols: 20 } };

/** A project of its own holding `lines`, and the experiments' ids in line order. */
async function projectWith(label: string, lines: string[]): Promise<{ projectId: string; ids: string[] }> {
  const { id: projectId } = await ensureProject(graph, `prior-choice-${label}-${Date.now()}`);
  const imported = await runImport(graph, projectId, lines.join('\n'));
  return { projectId, ids: imported.experiments.map((e) => e.experimentId) };
}

/** The provenance of the experiment's next suggestion. */
async function nextProvenance(service: SuggestionService, projectId: string, experimentId: string) {
  const { trials } = await service.suggest(projectId, experimentId, 1);
  return trials[0]!.provenance as { priors: { experimentId: string }[]; notes: string[] };
}

describe('which prior experiments a warm start chooses', () => {
  it('skips priors with nothing completed before taking maxPriors, and weighs dataset similarity by search-space overlap', async () => {
    const near = { name: 'churn-eu', metaFeatures: { rows: 1200, cols: 22 } };
    const far = { name: 'images', metaFeatures: { rows: 60000, cols: 784 } };
    const off = { mode: 'off' };
    const lines = [
      // Same dataset and space, but nothing completed: nothing to learn from.
      line('started, nothing done', churn, XYZ, 0, off),
      // Same dataset, one of the three parameters.
      line('one parameter', churn, [float('x')], 6, off),
      // A similar dataset, all three parameters: the prior to learn from.
      line('similar dataset', near, XYZ, 6, off),
      line('far dataset', far, XYZ, 6, off),
      line('target', churn, XYZ, 0, { mode: 'auto', maxPriors: 1 }),
    ];
    const { projectId, ids } = await projectWith('ranking', lines);
    const [, , similar, , target] = ids;
    const { priors } = await nextProvenance(new SuggestionService(graph), projectId, target!);
    expect(priors.map((p) => p.experimentId)).toEqual([similar]);
  });

  it('says why an automatic warm start found nothing when only the metric name differs', async () => {
    const { projectId, ids } = await projectWith('metric', [
      line('named metric', churn, XYZ, 6, { mode: 'off' }),
      // As an Optuna study without metric names is recorded: the default metric.
      line('study', churn, XYZ, 0, { mode: 'auto' }, 'objective'),
    ]);
    const study = ids[1]!;
    const service = new SuggestionService(graph);
    const notesOfNextAsk = async () => {
      const provenance = await nextProvenance(service, projectId, study);
      expect(provenance.priors).toEqual([]);
      return provenance.notes.join('; ');
    };
    expect(await notesOfNextAsk()).toContain("no past experiment of model 'gbm' with metric 'objective' has results, but 1 with metric 'auc' do");
    // Switched off, warm start has nothing to explain: the note does not linger.
    await updateSettings(graph, projectId, study, { warmStart: { mode: 'off' } }, null);
    expect(await notesOfNextAsk()).not.toContain('no warm start');
  });

  it('does not blame the metric when experiments with the same metric have results but share no parameter', async () => {
    const { projectId, ids } = await projectWith('overlap', [
      line('other parameters', churn, [float('a')], 6, { mode: 'off' }),
      line('other metric', churn, XYZ, 6, { mode: 'off' }, 'objective'),
      line('target', churn, XYZ, 0, { mode: 'auto' }),
    ]);
    const { notes } = await nextProvenance(new SuggestionService(graph), projectId, ids[2]!);
    expect(notes.join('; ')).not.toContain('no warm start');
  });
});
