import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { completeTrial } from '../../graph/repositories/trials.ts';
import { runImport } from '../../src/services/transfer.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { experimentLine } from '../support/experiment-line.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
let sessions = 0;
beforeAll(() => {
  graph = testGraph();
  // Counts the transactions the service opens (one session each, see graph/tx.ts).
  const open = graph.driver.session.bind(graph.driver);
  graph.driver.session = ((...args: Parameters<typeof open>) => {
    sessions++;
    return open(...args);
  }) as typeof graph.driver.session;
});
afterAll(() => graph.close());

// Every ask here must be served from the priors (its edges and event numbers are what is checked), so the
// warm design follows them throughout instead of earning trust first (settings.warmTrust).
const line = (name: string, trials: number, warmStart: unknown) => experimentLine('explicit', name, trials, warmStart, { warmTrust: 'given' });

describe('warm start from an explicit list of experiments', () => {
  it('reads the priors’ event numbers along with the history, like a similarity-chosen list (no extra query per ask)', async () => {
    const { id: projectId } = await ensureProject(graph, `explicit-priors-${Date.now()}`);
    const priors = (await runImport(graph, projectId, [line('p1', 8, { mode: 'off' }), line('p2', 8, { mode: 'off' })].join('\n'))).experiments.map(
      (e) => e.experimentId,
    );
    const explicit = (await runImport(graph, projectId, line('explicit', 0, { mode: 'explicit', experiments: priors }))).experiments[0]!.experimentId;
    const auto = (await runImport(graph, projectId, line('auto', 0, { mode: 'auto' }))).experiments[0]!.experimentId;
    const service = new SuggestionService(graph);
    const transactionsPerAsk = async (experimentId: string) => {
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = sessions;
        const { trials } = await service.suggest(projectId, experimentId, 1);
        counts.push(sessions - before);
        expect(trials).toHaveLength(1);
        const used = (trials[0]!.provenance as { priors: { experimentId: string }[] }).priors.map((p) => p.experimentId);
        expect(used.sort()).toEqual([...priors].sort());
        // As the tell route does: the result goes into the service's copy of the history.
        const told = await completeTrial(graph, projectId, trials[0]!.id, { value: 0.5 });
        service.told(projectId, told.trial, told.event!);
      }
      return counts;
    };
    const viaAuto = await transactionsPerAsk(auto);
    const viaExplicit = await transactionsPerAsk(explicit);
    // After the first ask (stale sweep, prior choice, prior histories), each ask writes the batch
    // (its copy of the history is current, and the priors' event numbers come back with the write)
    // and its links: the explicit list costs no more than the chosen one.
    expect(viaExplicit.slice(1)).toEqual(viaAuto.slice(1));
    expect(viaExplicit[2]).toBe(2);
  });
});
