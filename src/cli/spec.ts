import type { Config } from '../config.ts';

/**
 * What a command accepts and what its --help says, in one place: the parser and the help text
 * are both derived from it, so an option cannot be accepted without being documented.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's placeholder in help, e.g. `<path>`. */
  meta?: string;
  help: string;
  /** Applied when the option is absent, and shown in help. */
  default?: string;
  /** Shown in help when there is no literal default (e.g. "the last column"). */
  fallback?: string;
  required?: boolean;
  choices?: readonly string[];
}

export interface ArgSpec {
  name: string;
  help: string;
  required?: boolean;
  default?: string;
}

export interface Input {
  opts: Record<string, string | undefined>;
  flags: Record<string, boolean>;
  args: (string | undefined)[];
}

export interface CommandSpec {
  kind: 'command';
  /** The words after `tsx src/cli.ts` that select it, e.g. ['keys', 'create']. */
  path: string[];
  /** How a person runs it, without arguments, e.g. `npm run keys -- create`. */
  npm: string;
  summary: string;
  about: string;
  args?: ArgSpec[];
  options?: Record<string, OptionSpec>;
  /** Environment variables that matter to this command: name → meaning (with default). */
  env?: Record<string, string>;
  /** What goes to stdout, for commands whose output is meant to be captured. */
  output?: string;
  /** Exit statuses beyond 0 = success, 1 = failure, 2 = unknown command or option. */
  exits?: string[];
  examples: string[];
  run: (config: Config, input: Input) => Promise<void>;
}

export interface GroupSpec {
  kind: 'group';
  path: [string];
  /** How a person runs one of its commands, e.g. `npm run keys -- <command>`. */
  npm: string;
  summary: string;
  about: string;
  commands: CommandSpec[];
  examples: string[];
}

export type Entry = CommandSpec | GroupSpec;

/** The npm invocation with the `--` npm needs before arguments meant for the script. */
export function withArgs(npm: string): string {
  return npm.includes(' -- ') || npm.endsWith(' --') ? npm : `${npm} --`;
}

export const helpCommand = (e: Entry): string => `${withArgs(e.npm)} --help`;
