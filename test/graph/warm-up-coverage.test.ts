// The warm-up (src/services/readiness.ts) must run every statement an experiment's first ask in a
// process runs: a statement it leaves out is planned on the first real ask after a restart (the
// edge repair and the stale check were, 64-264 ms each; see bench/README.md, first ask).
import { describe, expect, it } from 'vitest';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { warmGraph } from '../../src/services/readiness.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { runImport } from '../../src/services/transfer.ts';
import { experimentLine } from '../support/experiment-line.ts';
import { recordedTestGraph } from '../support/sent-statements.ts';

const recorded = recordedTestGraph();

describe('the warm-up', () => {
  it("runs every statement of an experiment's first ask in a process, warm-started from explicit priors and from a similarity search", async () => {
    const { graph, statements } = recorded;
    const { id: projectId } = await ensureProject(graph, `warm-up-coverage-${Date.now()}`);
    const [prior] = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'prior', 8, { mode: 'off' }))).experiments.map((e) => e.experimentId);
    const explicit = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'explicit', 2, { mode: 'explicit', experiments: [prior] })))
      .experiments[0]!.experimentId;
    const auto = (await runImport(graph, projectId, experimentLine('warm-up-coverage', 'auto', 2, { mode: 'auto' }))).experiments[0]!.experimentId;

    statements.take();
    await warmGraph(graph);
    const warmed = statements.take();
    for (const target of [explicit, auto]) {
      // A new service: its first ask of the experiment, as after a restart.
      const { trials } = await new SuggestionService(graph, { optimizerThreads: 0 }).suggest(projectId, target, 1);
      const sent = statements.take();
      expect(trials).toHaveLength(1);
      expect(sent.size, 'statements were recorded').toBeGreaterThan(3);
      const missing = [...sent].filter((q) => !warmed.has(q));
      expect(missing, 'statements of a first ask the warm-up does not run').toEqual([]);
    }
  });
});
