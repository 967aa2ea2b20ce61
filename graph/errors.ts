/**
 * Errors a repository raises for conditions the caller caused. The HTTP layer maps them to
 * 404/409/400; anything else is a bug or an outage.
 */
export class NotFoundError extends Error {
  readonly statusCode = 404;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${JSON.stringify(id)} not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  readonly statusCode = 409;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class InvalidInputError extends Error {
  readonly statusCode = 400;
  readonly issues: { field: string; reason: string }[];
  constructor(field: string, reason: string, more: { field: string; reason: string }[] = []) {
    const issues = [{ field, reason }, ...more];
    super(issues.map((i) => `${i.field}: ${i.reason}`).join('; '));
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}
