export type ProfileErrorCode =
  | 'BAD_OPTIONS'
  | 'EMPTY_INPUT'
  | 'NO_HEADER'
  | 'NO_DATA_ROWS'
  | 'NO_FEATURES'
  | 'TOO_MANY_COLUMNS'
  | 'RAGGED_ROWS'
  | 'MALFORMED_CSV'
  | 'UNKNOWN_TARGET'
  | 'BAD_TARGET'
  | 'TOO_LARGE';

/**
 * Raised for anything wrong with the caller's input (bytes or options), never for
 * internal bugs, so the HTTP layer can map every ProfileError to a 400 without
 * leaking 500s as client errors. `statusCode` lets Fastify's default handler do
 * that even without a custom error handler.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly statusCode = 400;
  readonly code: ProfileErrorCode;

  constructor(code: ProfileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
