import type { Graph } from '../../graph/driver.ts';
import { CoalescingQueue } from './coalescing-queue.ts';
import { completeTrial, completeTrials, type CompleteOutcome, type TrialResult } from '../../graph/repositories/trials.ts';

type Completed = Exclude<CompleteOutcome, { error: unknown }>;

interface Waiter {
  id: string;
  result: TrialResult;
  resolve: (outcome: Completed) => void;
  reject: (err: unknown) => void;
}

/** Largest group written by one statement; more waiting go in the next. */
const MAX_GROUP = 64;

/**
 * Results told at the same time are written together. Many workers of one experiment tell at once,
 * and every result takes the experiment's lock and a commit of its own: one at a time, each waited
 * for the others. A result that arrives while no write of its project is running is written at once,
 * alone; those that arrive meanwhile wait for it and then go in one statement (completeTrials), each
 * with its own outcome. If a combined write fails as a whole, each result is written alone, so only
 * the one at fault fails.
 */
export class ResultWriter {
  private readonly queue = new CoalescingQueue<Waiter>({
    take: (waiting) => Math.min(waiting.length, MAX_GROUP),
    serve: (projectId, group) => this.write(projectId, group),
  });

  /** `onCompleted`: told of each result written with its event (the service's history copies follow it). */
  constructor(
    private readonly graph: Graph,
    private readonly onCompleted: (projectId: string, outcome: Completed) => void = () => {},
  ) {}

  complete(projectId: string, id: string, result: TrialResult): Promise<Completed> {
    return new Promise((resolve, reject) => this.queue.push(projectId, { id, result, resolve, reject }));
  }

  private async write(projectId: string, group: Waiter[]): Promise<void> {
    try {
      const outcomes = await completeTrials(
        this.graph,
        projectId,
        group.map((w) => ({ id: w.id, ...w.result })),
      );
      group.forEach((w, i) => {
        const o = outcomes[i]!;
        if ('error' in o) w.reject(o.error);
        else this.settle(projectId, w, o);
      });
    } catch (err) {
      if (group.length === 1) group[0]!.reject(err);
      // The statement wrote nothing: each alone, in the order they came.
      else for (const w of group) await completeTrial(this.graph, projectId, w.id, w.result).then((o) => this.settle(projectId, w, o), w.reject);
    }
  }

  private settle(projectId: string, w: Waiter, outcome: Completed): void {
    this.onCompleted(projectId, outcome);
    w.resolve(outcome);
  }
}
