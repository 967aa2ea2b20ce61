/**
 * A setup problem the user can fix. The CLI prints `message` and `hint` and exits non-zero
 * instead of a stack trace, because these are environment problems, not bugs.
 */
export class SetupError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}
