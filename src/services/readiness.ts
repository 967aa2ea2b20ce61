import { outagesOnly } from '../../graph/availability.ts';
import type { Graph } from '../../graph/driver.ts';
import { projectForKey } from '../../graph/repositories/keys.ts';
import { eventSeqs, readHistories, readHistorySince } from '../../graph/repositories/history.ts';
import { markStale, recordSuggestions } from '../../graph/repositories/suggestions.ts';
import { pendingLinks, writeBatchLinks } from '../../graph/repositories/links.ts';
import { completeTrials } from '../../graph/repositories/trials.ts';
import { latestRunningExperiment } from '../../graph/repositories/experiments.ts';
import { rehearsal } from '../../graph/tx.ts';
import { commitAndUndo } from '../../graph/repositories/warm-up.ts';
import { MetaFeatureRanges } from '../similarity/meta-feature-ranges.ts';
import { rankSimilarExperiments } from '../similarity/rank.ts';
import { visibleProjects } from './visible-projects.ts';

/** An id no node has: the warm-up's statements find nothing and write nothing. */
const NOBODY = '00000000-0000-4000-8000-000000000000';

/**
 * How often the warm-up rehearses an ask and commits a write once the plans are warm. Neo4j's Java
 * runs interpreted until the JIT has seen a path often: with plans warm and one rehearsal the first
 * ask after a restart still spent 3-5x a warm ask's time in each statement; 15 rounds halved the
 * reads, and committed writes (which a rehearsal never reaches) halved the record (bench/first-ask.ts).
 */
const REHEARSALS = 20;

/**
 * Runs the statements of the hot path (authentication, history reads, the choice of priors, the
 * record of a batch, a result) once, against ids nothing has. Neo4j plans and caches each statement
 * the first time it sees it; after a start or a restart that took seconds per statement (the first
 * ask after a restart took 15.5 s, 14 of them planning), so a warm process answers its first ask as
 * fast as its hundredth. Then it rehearses an ask on the experiment changed last and commits a write
 * that leaves nothing, REHEARSALS times, for the JIT. Only an outage is an error here.
 */
export async function warmGraph(graph: Graph): Promise<void> {
  // One scale for the whole warm-up, as a process keeps one: later rounds read what a warm ask reads.
  const ranges = new MetaFeatureRanges(graph);
  await outagesOnly(() => projectForKey(graph, 'prc_warm-up'));
  await outagesOnly(() => readHistorySince(graph, NOBODY, NOBODY, null, [NOBODY], [NOBODY]));
  await outagesOnly(() => readHistorySince(graph, NOBODY, NOBODY, 0, [NOBODY], [NOBODY]));
  await outagesOnly(() => readHistories(graph, [NOBODY], [NOBODY], true));
  await outagesOnly(() => eventSeqs(graph, [NOBODY], [NOBODY]));
  // The first ask of each experiment in a process also repairs its edges and marks stale trials.
  await outagesOnly(() => pendingLinks(graph, NOBODY, NOBODY));
  await outagesOnly(() => markStale(graph, NOBODY, NOBODY, 3600));
  await outagesOnly(() =>
    rankSimilarExperiments(
      graph,
      NOBODY,
      { metaFeatures: { warm_up: 1 }, model: 'warm-up', metric: 'warm-up', searchSpace: ['x'], minOverlap: Number.EPSILON, excludeIds: [NOBODY], k: 20 },
      ranges,
    ),
  );
  // Neo4j caches a plan per statement and parameter types, so the record is warmed in each shape an
  // ask sends: with and without a budget (maxTrials an integer or null), from a fresh read or from a
  // copy (expectSeq null or an integer).
  for (const shape of [
    { maxTrials: 1, expectSeq: null },
    { maxTrials: undefined, expectSeq: null },
    { maxTrials: 1, expectSeq: 0 },
    { maxTrials: undefined, expectSeq: 0 },
  ]) {
    await outagesOnly(() =>
      recordSuggestions(
        graph,
        NOBODY,
        NOBODY,
        [{ config: { x: 0.5 }, configHash: 'warm-up', strategy: 'random', reason: null, provenance: {}, sources: [{ trialId: NOBODY, weight: 1 }] }],
        [{ experimentId: NOBODY, similarity: null, weight: 1 }],
        [NOBODY],
        { priorIds: [NOBODY], expectSeq: shape.expectSeq, read: { seq: 0, ...(shape.maxTrials === undefined ? {} : { maxTrials: shape.maxTrials }) } },
      ),
    );
  }
  // The edges a warm-started batch writes after it commits (nothing here: no trial has the id).
  await outagesOnly(() =>
    writeBatchLinks(graph, [NOBODY], {
      sources: [{ from: NOBODY, to: NOBODY, weight: 1 }],
      configs: [{ trialId: NOBODY, modelId: NOBODY, projectId: NOBODY, configHash: 'warm-up', configName: 'warm-up', config: '{}', configParams: { x: 0.5 } }],
    }),
  );
  await outagesOnly(() => completeTrials(graph, NOBODY, [{ id: NOBODY, value: 0 }]));
  // Warm plans still left the first ask after a restart at 0.4-1.3 s against ~40 ms warm: the first
  // executions on real data fault in the pages they touch (the similarity search and the record
  // most of all). An ask rehearsed on a real experiment brought it to 0.16-0.46 s (bench/first-ask.ts),
  // and rehearsed again (see REHEARSALS) further.
  for (let i = 0; i < REHEARSALS; i++) {
    // The key lookup too: a process looks a key up again every authCacheSeconds.
    await outagesOnly(() => projectForKey(graph, 'prc_warm-up'));
    await outagesOnly(() => rehearseAsk(graph, ranges));
    await outagesOnly(() => commitAndUndo(graph));
  }
}

/**
 * The reads of an ask on the running experiment changed last, and its record in a transaction that
 * is rolled back (see rehearsal() in graph/tx.ts): nothing is written.
 */
async function rehearseAsk(graph: Graph, ranges: MetaFeatureRanges): Promise<void> {
  const latest = await latestRunningExperiment(graph);
  if (!latest) return;
  const { id, projectId } = latest;
  const projects = await visibleProjects(graph, projectId);
  await pendingLinks(graph, projectId, id);
  await markStale(rehearsal(graph), projectId, id, 3600);
  const history = await readHistorySince(graph, projectId, id, null, [], projects);
  const e = history.experiment;
  await rankSimilarExperiments(
    graph,
    projectId,
    {
      metaFeatures: history.metaFeatures,
      model: e.model.name,
      metric: e.objective.metric,
      searchSpace: e.searchSpace.map((p) => p.name),
      minOverlap: Number.EPSILON,
      excludeIds: [id],
      k: 20,
    },
    ranges,
  );
  await recordSuggestions(
    rehearsal(graph),
    projectId,
    id,
    [{ config: {}, configHash: 'warm-up', strategy: 'random', reason: null, provenance: {}, sources: [] }],
    [],
    projects,
    { priorIds: [], expectSeq: null, read: { seq: history.eventSeq, ...(e.budget.maxTrials === undefined ? {} : { maxTrials: e.budget.maxTrials }) } },
  );
}

/**
 * Whether this process is ready to serve at full speed: Neo4j answers, its query plans are warm, and
 * so are the steps others added (the suggestion service's copies of the experiments it served).
 * It turns not ready when the breaker opens, and warms up again when it closes.
 */
export class Readiness {
  private warmed = false;
  private warming: Promise<void> | null = null;
  /** Connections lost so far: a warm-up across a loss warms the new server again before it counts. */
  private losses = 0;
  /** Run after the graph's warm-up, in the order added (see also()). */
  private readonly steps = new Set<() => Promise<void>>();

  constructor(
    private readonly graph: Graph,
    private readonly warmUp: (graph: Graph) => Promise<void> = warmGraph,
  ) {
    graph.availability.onLost(() => {
      this.warmed = false;
      this.losses++;
      // A restart under idle connections leaves the breaker closed: warm up again at once.
      if (!graph.availability.down) void this.warm().catch(() => undefined);
    });
    graph.availability.onUp(() => void this.warm().catch(() => undefined));
  }

  get ready(): boolean {
    return this.warmed;
  }

  /**
   * Adds a step to every warm-up from now on, also to one under way that has not reached the steps
   * yet; returns its removal. Steps only make the first requests faster: an outage fails the
   * warm-up, any other error of a step is ignored.
   */
  also(step: () => Promise<void>): () => void {
    this.steps.add(step);
    return () => this.steps.delete(step);
  }

  /** Warms the plans and runs the added steps (once at a time); resolves when this process is ready. */
  warm(): Promise<void> {
    this.warming ??= this.run().finally(() => {
      this.warming = null;
    });
    return this.warming;
  }

  private async run(): Promise<void> {
    for (;;) {
      const losses = this.losses;
      await this.warmUp(this.graph);
      for (const step of [...this.steps]) await outagesOnly(step);
      // Lost and found again meanwhile (a restart under idle connections): what was warmed was the
      // server before it.
      if (losses === this.losses) {
        this.warmed = true;
        return;
      }
    }
  }
}
