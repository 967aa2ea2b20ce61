// After Neo4j was out of reach the service drops what it copied from the graph; its warm-up builds
// again, from the graph as it is then, what the experiments it served need (SuggestionService.
// primeAfterOutage), so their first asks cost what the ones before did (bench/first-ask.ts).
import { describe, expect, it } from 'vitest';
import { readHistorySince } from '../../graph/repositories/history.ts';
import { rehearsal } from '../../graph/tx.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { Readiness } from '../../src/services/readiness.ts';
import { replayExperiment } from '../../src/services/replay.ts';
import { SuggestionService } from '../../src/services/suggestions.ts';
import { runImport } from '../../src/services/transfer.ts';
import { experimentLine } from '../support/experiment-line.ts';
import { recordedTestGraph } from '../support/sent-statements.ts';

const recorded = recordedTestGraph();

describe('after an outage', () => {
  it('primes the experiments the service served: nothing is recorded, and their first ask sends only what a warm ask sends and suggests what a cold service would', async () => {
    const { graph, statements } = recorded;
    const { id: projectId } = await ensureProject(graph, `prime-after-outage-${Date.now()}`);
    await runImport(graph, projectId, experimentLine('prime-after-outage', 'prior', 8, { mode: 'off' }));
    const [target, finished] = (await Promise.all(
      ['target', 'finished'].map(
        async (name) => (await runImport(graph, projectId, experimentLine('prime-after-outage', name, 3, { mode: 'auto' }))).experiments[0]!.experimentId,
      ),
    )) as [string, string];
    // A prior choice kept long enough that no ask here redoes it, however slow the machine.
    const settings = { optimizerThreads: 0, priorChoiceTtlMs: 3_600_000 };
    const service = new SuggestionService(graph, settings);
    // Only the service's step: the graph's own warm-up is tested elsewhere (test/graph).
    const readiness = new Readiness(graph, async () => {});
    readiness.also(() => service.primeAfterOutage());
    await readiness.warm();
    expect(readiness.ready).toBe(true);
    const ask = async (id: string) => (await service.suggest(projectId, id, 1)).trials;
    expect(await ask(finished)).toHaveLength(1);
    expect(await ask(target)).toHaveLength(1);
    statements.take();
    expect(await ask(target)).toHaveLength(1);
    const warmAsk = statements.take();
    await graph.driver.executeQuery("MATCH (e:Experiment {id: $id}) SET e.status = 'finished'", { id: finished }, { database: graph.database });

    const seqBefore = (await readHistorySince(graph, projectId, target, null, [], [projectId])).eventSeq;
    // A connection lost and found again at once (a restart under idle connections): the service
    // drops its copies and the readiness warms up, priming the two experiments it served.
    expect(await graph.availability.failed()).toBe(true);
    expect(readiness.ready).toBe(false);
    await readiness.warm();
    expect(readiness.ready).toBe(true);
    const primed = statements.take();
    const after = await readHistorySince(graph, projectId, target, null, [], [projectId]);
    statements.take();
    expect(after.eventSeq, 'the priming recorded nothing').toBe(seqBefore);
    expect(after.trials).toHaveLength(5);
    expect(primed.size, 'the priming read the graph').toBeGreaterThan(3);
    // What a service that kept nothing suggests from this history, rehearsed (nothing stays).
    const [cold] = (await new SuggestionService(rehearsal(graph), settings).suggest(projectId, target, 1)).trials;
    statements.take();

    const [first] = await ask(target);
    const firstAfter = statements.take();
    expect(first!.config).toEqual(cold!.config);
    expect(first!.number).toBe(cold!.number);
    expect(
      [...firstAfter].filter((q) => !warmAsk.has(q)),
      'statements a warm ask does not send',
    ).toEqual([]);
    // The finished experiment was skipped, not an error; its ask says why as before.
    await expect(ask(finished)).rejects.toThrow(/finished/);
    const replay = await replayExperiment(graph, projectId, target);
    expect(replay.checked).toBe(3);
    expect(replay.matched).toBe(3);
    await service.close();
  });
});
