import type { Graph } from '../../graph/driver.ts';
import { projectForKeyHash } from '../../graph/repositories/keys.ts';
import { Lru } from '../../optimizers/cache.ts';
import { RebuildAfterOutage } from '../services/rebuild-after-outage.ts';

/** Keys remembered at most (the least recently used beyond it are looked up again when used). */
const MAX_KEYS = 10_000;
/** Keys verified again after an outage (see reverify): a lookup each, a millisecond or so. */
const REVERIFIED = 100;

/**
 * The API keys this process verified, by hash, each trusted `cacheSeconds` after it was looked up (a
 * revoked key is refused once its entry expired). The entries are copies of the graph, so they are
 * dropped whenever the connection to Neo4j was lost (a dump restored meanwhile may not have the
 * key); the warm-up that follows looks the most recently used ones up again (reverify), so the
 * first requests after a restart do not each wait for their key.
 */
export class VerifiedKeys {
  private readonly entries = new Lru<string, { projectId: string; until: number }>(MAX_KEYS);
  /** The keys the last outage dropped (see reverify). */
  private readonly toReverify = new RebuildAfterOutage<string>(REVERIFIED, (hash) => hash);
  /** Outages seen: a lookup that was under way across one does not keep its answer. */
  private outages = 0;

  constructor(
    private readonly graph: Graph,
    private readonly cacheSeconds: number,
  ) {
    this.close = graph.availability.onLost(() => this.forget());
  }

  /** Stops hearing of lost connections (the graph may outlive the app). */
  readonly close: () => void;

  /** The project the key grants, or null for unknown and revoked keys. */
  async projectOf(hash: string): Promise<string | null> {
    const hit = this.entries.get(hash);
    if (hit && hit.until >= Date.now()) return hit.projectId;
    return this.lookUp(hash);
  }

  /** Looks the keys the last outage dropped up again; an outage fails it (and the warm-up), other errors skip the key. */
  reverify(): Promise<void> {
    return this.toReverify.rebuild((hash) => this.lookUp(hash));
  }

  private forget(): void {
    this.toReverify.dropped(this.entries.keys().reverse());
    this.entries.clear();
    this.outages++;
  }

  private async lookUp(hash: string): Promise<string | null> {
    const at = Date.now();
    const outages = this.outages;
    const projectId = await projectForKeyHash(this.graph, hash);
    if (outages !== this.outages) return projectId;
    if (projectId) this.entries.set(hash, { projectId, until: at + this.cacheSeconds * 1000 });
    else this.entries.delete(hash);
    return projectId;
  }
}
