/**
 * stdout carries only what a command produces, so `X=$(npm run -s …)` and pipes get exactly
 * that; everything about how it got there goes to stderr.
 */

/** Progress and status: stderr. */
export const log = (line: string): void => console.error(`[precedent] ${line}`);

/** A human-readable result (a replay or import report, a status): stdout, marked as ours. */
export const report = (line: string): void => console.log(`[precedent] ${line}`);

/** Data as is (a key, an id, a table, JSON): stdout, unmarked. */
export const out = (text: string): void => console.log(text);
