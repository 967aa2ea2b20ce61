import { outagesOnly } from '../../graph/availability.ts';

/**
 * What an outage dropped from a process's copies of the graph and its warm-up builds again: the
 * most recently used first, each once, at most `max`. An outage during the rebuild puts what it
 * dropped in front of what is left. Held by SuggestionService (experiments to prime) and
 * VerifiedKeys (keys to verify again).
 */
export class RebuildAfterOutage<T> {
  private pending: T[] = [];

  constructor(
    private readonly max: number,
    private readonly keyOf: (item: T) => string,
  ) {}

  /** The items an outage dropped, the most recently used first. */
  dropped(items: T[]): void {
    const all = [...items, ...this.pending];
    this.pending = [...new Map(all.map((item) => [this.keyOf(item), item])).values()].slice(0, this.max);
  }

  /** Builds each item again in turn; an outage fails it, another error skips the item (its next use does the work). */
  async rebuild(build: (item: T) => Promise<unknown>): Promise<void> {
    while (this.pending.length > 0) {
      const item = this.pending[0]!;
      await outagesOnly(() => build(item));
      // By key: an outage meanwhile made a new list.
      const key = this.keyOf(item);
      this.pending = this.pending.filter((other) => this.keyOf(other) !== key);
    }
  }
}
