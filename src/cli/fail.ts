import { NotFoundError } from '../../graph/errors.ts';
import { SetupError } from '../../graph/server/errors.ts';
import { ConfigError } from '../config.ts';
import { UsageError } from './parse.ts';

/**
 * Prints why a command failed and returns the exit status. Problems a person can fix get a
 * message and a hint; a stack trace is kept for what can only be a bug.
 */
export function explain(err: unknown): number {
  if (err instanceof UsageError) {
    // One line, so a script's log shows the whole of it.
    console.error(`precedent: ${err.message}; see \`${err.help}\``);
    return err.exitCode;
  }
  if (err instanceof SetupError) console.error(`\nprecedent: ${err.message}\n  → ${err.hint}\n`);
  else if (err instanceof NotFoundError) console.error(`\nprecedent: ${err.message}\n`);
  else if (err instanceof ConfigError) console.error(`\nprecedent: ${err.message}\n  → Fix the environment variables above (see docs/configuration.md).\n`);
  else console.error(err);
  return 1;
}
