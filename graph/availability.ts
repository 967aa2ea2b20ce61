import type { Driver } from 'neo4j-driver';

const OUTAGE_CODES = new Set(['ServiceUnavailable', 'SessionExpired']);

export function isOutage(err: unknown): boolean {
  return OUTAGE_CODES.has((err as { code?: string } | null)?.code ?? '');
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
 * A circuit breaker for the database. When a transaction fails because Neo4j cannot be reached,
 * the graph is marked down and every later transaction fails at once (no connection attempts, no
 * retry back-off), so requests answer 503 in milliseconds instead of waiting out the driver's
 * timeouts. A probe checks connectivity every `probeMs` and closes the breaker as soon as Neo4j
 * answers again: the service recovers without a restart.
 */
export class Availability {
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly driver: Driver,
    private readonly database: string,
    private readonly probeMs = 500,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
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
    if (await this.reachable()) return true;
    if (this.downSince === null) {
      this.downSince = Date.now();
      this.schedule();
    }
    return false;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
      return true;
    } catch {
      return false;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      if (await this.reachable()) this.downSince = null;
      else this.schedule();
    }, this.probeMs);
    // The probe alone must not keep a process alive.
    this.timer.unref();
  }
}
