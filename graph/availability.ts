import type { Driver } from 'neo4j-driver';

const OUTAGE_CODES = new Set(['ServiceUnavailable', 'SessionExpired']);
/** Neo4j answers, but its database cannot serve yet (it is starting, or stopping): an outage too. */
const UNAVAILABLE_DATABASE = 'Neo.TransientError.General.DatabaseUnavailable';

/** Neo4j cannot be reached or cannot serve; a DatabaseUnavailableError (the breaker is open) is one too. */
export function isOutage(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return OUTAGE_CODES.has(code) || code === UNAVAILABLE_DATABASE;
}

/**
 * Runs `work` for what it warms or rebuilds, not for its answer: an outage is thrown (the warm-up
 * fails and runs again), any other error is dropped (the request that needs the thing does it again).
 */
export async function outagesOnly(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (isOutage(err)) throw err;
  }
}

/** What requests get while the database is known to be down: the HTTP layer maps it to 503. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'ServiceUnavailable';
  constructor(readonly since: number) {
    super(`Neo4j has been unreachable since ${new Date(since).toISOString()}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * A circuit breaker for the database. When a transaction fails because Neo4j cannot be reached (or its
 * database cannot serve yet), the graph is marked down and every later transaction fails at once (no
 * connection attempts, no retry back-off), so requests answer 503 in milliseconds instead of waiting
 * out the driver's timeouts. A probe runs a real query every `probeMs` and closes the breaker once one
 * succeeds. Listeners hear when the connection was lost, whether the breaker opened or a fresh
 * connection worked at once (the server restarted under idle pooled connections): whatever a process
 * copied from the graph may be stale then (a restored dump, say), and its query plans are cold. They
 * also hear when the breaker closes again.
 */
export class Availability {
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watcher: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly listeners = { lost: [] as (() => void)[], up: [] as (() => void)[] };

  constructor(
    private readonly driver: Driver,
    private readonly database: string,
    private readonly probeMs = 500,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
  }

  /** Called each time the connection is lost (see the class comment); returns its removal. */
  onLost(listener: () => void): () => void {
    return this.listen(this.listeners.lost, listener);
  }

  /** Called each time the breaker closes again; returns its removal. */
  onUp(listener: () => void): () => void {
    return this.listen(this.listeners.up, listener);
  }

  private listen(to: (() => void)[], listener: () => void): () => void {
    to.push(listener);
    return () => {
      const at = to.indexOf(listener);
      if (at >= 0) to.splice(at, 1);
    };
  }

  /** Throws while the database is known to be down. */
  check(): void {
    if (this.downSince !== null) throw new DatabaseUnavailableError(this.downSince);
  }

  /**
   * Called with an outage error. Returns true when the database answers a fresh connection right
   * away (a stale pooled connection after a restart, say): the caller may retry once.
   */
  async failed(): Promise<boolean> {
    if (this.downSince !== null) return false;
    const reachable = await this.reachable();
    for (const listener of [...this.listeners.lost]) listener();
    if (reachable) return true;
    if (this.downSince === null) {
      this.downSince = Date.now();
      this.schedule();
    }
    return false;
  }

  /**
   * Runs a real query every `everyMs` while the breaker is closed, so a restart is noticed even when
   * no request meets it: the driver replaces the connections a restart closed without an error, and
   * an idle service kept its copies and cold plans across a restart (bench/first-ask.ts showed it).
   * A restart takes Neo4j down for seconds, longer than the interval, so the probe meets the outage:
   * the breaker opens and the listeners hear that the connection was lost.
   */
  watch(everyMs: number): void {
    if (this.watcher || this.closed) return;
    const tick = async () => {
      if (this.closed) return;
      if (this.downSince === null && !(await this.reachable())) await this.failed();
      if (!this.closed) this.watcher = setTimeout(tick, everyMs).unref();
    };
    this.watcher = setTimeout(tick, everyMs).unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watcher) clearTimeout(this.watcher);
  }

  /** A real query, not just a connection: a server that accepts connections may not serve its database yet. */
  private async reachable(): Promise<boolean> {
    try {
      // No bookmarks: a bookmark from before a restored dump names a version the restored database
      // never reaches, and the probe would wait for it and fail forever.
      await this.driver.executeQuery('RETURN 1', {}, { database: this.database, bookmarkManager: null });
      return true;
    } catch {
      return false;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      if (!(await this.reachable())) return this.schedule();
      this.downSince = null;
      for (const listener of [...this.listeners.up]) listener();
    }, this.probeMs);
    // The probe alone must not keep a process alive.
    this.timer.unref();
  }
}
