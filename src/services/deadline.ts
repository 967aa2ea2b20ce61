/** An ask that can no longer be answered in time (or whose client left): nothing is recorded for it. */
export class DeadlineExceededError extends Error {
  readonly statusCode = 503;
  constructor(ms: number) {
    super(`the suggestion was not ready within the request deadline of ${Math.round(ms / 1000)} s; retry (with the same Idempotency-Key)`);
    this.name = 'DeadlineExceededError';
  }
}
