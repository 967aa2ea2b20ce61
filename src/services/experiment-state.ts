import { Lru } from '../../optimizers/cache.ts';
import type { ExperimentOptimizer } from '../../optimizers/experiment-optimizer.ts';
import { cacheEviction } from '../metrics.ts';
import { HistoryCopy } from './history-copy.ts';

/** The prior experiments an experiment learns from, as a similarity search (or its explicit list) chose them. */
export interface PriorChoice {
  /** When it was made (ms since the epoch): a search is reused for a while, see PriorLibrary. */
  at: number;
  /** The warm-start settings it was made for: other settings choose again. */
  settings: string;
  priors: { id: string; similarity: number | null }[];
  /** Why an automatic choice found nothing, when something else in the graph explains it (e.g. the metric). */
  note?: string;
}

/**
 * Everything this process keeps about one experiment between its asks, in one place, so it is
 * dropped together: evicting the experiment, or a lost connection to Neo4j (the graph may have been
 * restored under the service), leaves nothing of it behind. An ask holds its experiment's state from
 * start to end; if the state is dropped meanwhile, the ask finishes on the orphan and the next one
 * starts from a read.
 */
export class ExperimentState {
  /** The history as this process last read and wrote it. */
  readonly copy = new HistoryCopy();
  /** Which priors it learns from, once chosen. */
  choice: PriorChoice | null = null;
  /** When running trials past the timeout were last marked stale (ms since the epoch). */
  staleCheckedAt = 0;
  /** Its trials are known to have every deferred edge (see LinkWriter.repair). */
  linksWhole = false;

  /** `optimizer`: the experiment's optimizer on the event loop, with its own memo (see ExperimentOptimizer). */
  constructor(
    readonly projectId: string,
    readonly experimentId: string,
    readonly optimizer: ExperimentOptimizer,
  ) {}
}

/** The experiments' states, the least recently asked dropped beyond a bound. */
export class ExperimentStates {
  private readonly states: Lru<string, ExperimentState>;

  constructor(
    max: number,
    private readonly newOptimizer: () => ExperimentOptimizer,
  ) {
    this.states = new Lru(max);
  }

  /** The experiment's state, made empty if there is none. */
  of(projectId: string, experimentId: string): ExperimentState {
    const key = experimentKey(projectId, experimentId);
    const held = this.states.get(key);
    if (held) return held;
    const made = new ExperimentState(projectId, experimentId, this.newOptimizer());
    const before = this.states.size;
    this.states.set(key, made);
    if (this.states.size === before) cacheEviction('history');
    return made;
  }

  /** The experiment's state if there is one (a result told for an experiment not held needs none). */
  peek(projectId: string, experimentId: string): ExperimentState | undefined {
    return this.states.get(experimentKey(projectId, experimentId));
  }

  /** Drops every state (the graph may have been replaced); returns whose they were, the most recently asked first. */
  clear(): { projectId: string; experimentId: string }[] {
    const dropped = this.states
      .values()
      .reverse()
      .map(({ projectId, experimentId }) => ({ projectId, experimentId }));
    this.states.clear();
    return dropped;
  }
}

/** An experiment is addressed within its project: a request naming another project must not reach its state. */
export const experimentKey = (projectId: string, experimentId: string) => `${projectId}/${experimentId}`;
