/** Anything waiting in a CoalescingQueue: it can be failed when its group's serving throws. */
export interface Waiting {
  reject(err: unknown): void;
}

export interface CoalescingPolicy<T> {
  /** How many of the waiting items, from the front, the next group takes (at least one is; all by default). */
  take?: (waiting: readonly T[]) => number;
  /**
   * Serves one group and settles its items. Items it hands back (`handBack`) wait again at the
   * front and go in the next group. If it throws, every item of the group is rejected with the error.
   */
  serve: (key: string, group: T[], handBack: (items: T[]) => void) => Promise<void>;
}

/**
 * Work per key, served one group at a time per key; different keys are served concurrently. An item
 * that arrives while nothing of its key is being served starts at once, alone; those that arrive
 * while a group is served wait for it and then go together. This is the one shape behind the
 * service's batching: asks per experiment (one optimizer call and one record for all that waited),
 * results per project (one statement for many results) and the deferred edges of recorded batches
 * (one transaction for all of them). A key's queue exists only while it has work.
 */
export class CoalescingQueue<T extends Waiting> {
  private readonly queues = new Map<string, T[]>();

  constructor(private readonly policy: CoalescingPolicy<T>) {}

  push(key: string, item: T): void {
    const waiting = this.queues.get(key);
    if (waiting) {
      waiting.push(item);
      return;
    }
    const fresh = [item];
    this.queues.set(key, fresh);
    void this.drain(key, fresh);
  }

  /** Keys with work being served or waiting. */
  get activeKeys(): number {
    return this.queues.size;
  }

  private async drain(key: string, waiting: T[]): Promise<void> {
    while (waiting.length > 0) {
      const n = Math.max(1, Math.min(waiting.length, this.policy.take?.(waiting) ?? waiting.length));
      const group = waiting.splice(0, n);
      const again: T[] = [];
      try {
        await this.policy.serve(key, group, (items) => again.push(...items));
      } catch (err) {
        for (const item of group) item.reject(err);
      }
      waiting.unshift(...again);
    }
    this.queues.delete(key);
  }
}
