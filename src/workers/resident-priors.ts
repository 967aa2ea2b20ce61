// Prior experiments kept resident in an optimizer thread, so a call sends only the priors the thread
// does not hold yet. Copying 50 priors into the thread on every ask cost more than the thread saved
// (bench/README.md, "what the optimizer thread costs"), and a copy is a new object each time, so the
// thread's prior memo (validated and projected priors, keyed by object) never hit.
//
// The service hands the same PriorExperiment object for the same prior version (history.ts
// rememberedPriorAt), so the object is the version's identity. The sending side decides everything
// — which ids exist, which are evicted — and the thread applies the decisions in message order, so
// the two sides never disagree about what is resident.
import type { PriorExperiment } from '../../optimizers/schema.ts';

/** What a call tells the thread about its priors: ids in request order, new ones in full, evictions. */
export type PriorTransfer = { order: number[]; add: { id: number; prior: PriorExperiment }[]; drop: number[] };

/** The sending side: which prior objects the thread holds, least recently used first. */
export class ResidentPriorsSender {
  private readonly ids = new Map<PriorExperiment, number>();
  private nextId = 0;

  constructor(private readonly capacity: number) {}

  transfer(priors: readonly PriorExperiment[]): PriorTransfer {
    const order: number[] = [];
    const add: PriorTransfer['add'] = [];
    for (const prior of priors) {
      let id = this.ids.get(prior);
      if (id === undefined) {
        id = this.nextId++;
        add.push({ id, prior });
      }
      // Re-inserted: the Map's order is recency.
      this.ids.delete(prior);
      this.ids.set(prior, id);
      order.push(id);
    }
    const drop: number[] = [];
    // Never evicts a prior of this call: the capacity is at least the largest request.
    const keep = Math.max(this.capacity, priors.length);
    for (const [prior, id] of this.ids) {
      if (this.ids.size <= keep) break;
      this.ids.delete(prior);
      drop.push(id);
    }
    return { order, add, drop };
  }

  /** The thread was replaced (it crashed): it holds nothing. */
  reset(): void {
    this.ids.clear();
  }
}

/** The thread's side: the priors it holds, by the sender's ids. */
export class ResidentPriorsStore {
  private readonly priors = new Map<number, PriorExperiment>();

  receive(t: PriorTransfer): PriorExperiment[] {
    for (const id of t.drop) this.priors.delete(id);
    for (const { id, prior } of t.add) this.priors.set(id, prior);
    return t.order.map((id) => {
      const prior = this.priors.get(id);
      if (!prior) throw new Error(`prior ${id} is not resident in the optimizer thread`);
      return prior;
    });
  }

  /** Holds nothing (the sender was reset and said so in message order). */
  clear(): void {
    this.priors.clear();
  }

  get size(): number {
    return this.priors.size;
  }
}
