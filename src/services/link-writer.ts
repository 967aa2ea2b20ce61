import type { Graph } from '../../graph/driver.ts';
import { pendingLinks, writeBatchLinks, type BatchLinks } from '../../graph/repositories/links.ts';
import { CoalescingQueue } from './coalescing-queue.ts';
import { visibleProjects } from './visible-projects.ts';

type Queued = { priorProjects: string[]; links: BatchLinks; resolve: () => void; reject: (err: unknown) => void };

/**
 * Writes the edges a recorded batch defers until after it commits (see recordSuggestions), and owns
 * the batches waiting for the next write. Whether an experiment has all its edges is kept in its
 * ExperimentState (linksWhole).
 */
export class LinkWriter {
  /** One key: every batch's edges wait for the transaction before them, whatever its experiment. */
  private readonly queue = new CoalescingQueue<Queued>({ serve: (_all, waiting) => this.flush(waiting) });

  constructor(private readonly graph: Graph) {}

  /**
   * A batch's deferred edges (SUGGESTED_FROM, and EVALUATES of configurations taken from priors),
   * written by one transaction at a time: edges that arrive while one is running go together in the
   * next. A batch whose write fails rejects; its trials keep their mark in the graph (see
   * recordSuggestions), and repair() writes the edges at the experiment's next ask. Experiments warm-starting from the same priors link to the same prior trials, and each
   * transaction creating such an edge write-locks the prior trial; one transaction for all of them
   * takes each lock once instead of queueing every batch behind the others. If a combined write
   * fails, each batch is written alone, so only the batch at fault fails.
   */
  write(priorProjects: string[], links: BatchLinks): Promise<void> {
    return new Promise((resolve, reject) => this.queue.push('', { priorProjects, links, resolve, reject }));
  }

  private async flush(waiting: Queued[]): Promise<void> {
    const scope = (w: { priorProjects: string[] }) => w.priorProjects.join('+');
    for (const key of new Set(waiting.map(scope))) {
      const mine = waiting.filter((w) => scope(w) === key);
      const priorProjects = mine[0]!.priorProjects;
      try {
        await writeBatchLinks(this.graph, priorProjects, { sources: mine.flatMap((w) => w.links.sources), configs: mine.flatMap((w) => w.links.configs) });
        for (const w of mine) w.resolve();
      } catch {
        for (const w of mine) {
          await writeBatchLinks(this.graph, priorProjects, w.links).then(w.resolve, w.reject);
        }
      }
    }
  }

  /**
   * Writes the deferred edges that an experiment's trials still lack (see pendingLinks): asked at the
   * experiment's first ask in this process (an earlier process may have stopped between a batch and
   * its edges) and after a link write failed. Returns whether the experiment now has them all. A
   * failed repair is tried again at the next ask and does not fail this one: the ask's own writes do
   * not depend on it.
   */
  async repair(projectId: string, experimentId: string): Promise<boolean> {
    try {
      const links = await pendingLinks(this.graph, projectId, experimentId);
      if (links.configs.length || links.sources.length) await writeBatchLinks(this.graph, await visibleProjects(this.graph, projectId), links);
      return true;
    } catch {
      return false;
    }
  }
}
