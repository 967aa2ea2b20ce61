import { ENTRIES } from './commands.ts';
import { commandHelp, groupHelp, topHelp } from './help.ts';
import { parseCommand, UsageError, usageError, wantsHelp } from './parse.ts';
import type { CommandSpec, Entry, Input } from './spec.ts';

export type Resolved = { kind: 'help'; text: string } | { kind: 'run'; command: CommandSpec; input: Input };

const TOP_HELP = 'npx tsx src/cli.ts --help';

function command(spec: CommandSpec, args: string[]): Resolved {
  return wantsHelp(args) ? { kind: 'help', text: commandHelp(spec) } : { kind: 'run', command: spec, input: parseCommand(spec, args) };
}

/** Turns a command line into the help to print or the command to run; a line it cannot run throws UsageError. */
export function resolve(argv: string[], entries: Entry[] = ENTRIES): Resolved {
  const [word, ...rest] = argv;
  if (word === undefined) throw new UsageError('no command given', TOP_HELP);
  if (word === '--help' || word === '-h') return { kind: 'help', text: topHelp(entries) };
  // `help <command…>` is `<command…> --help`, for people who type it the git way.
  if (word === 'help') return rest.length ? resolve([...rest, '--help'], entries) : { kind: 'help', text: topHelp(entries) };
  const entry = entries.find((e) => e.path[0] === word);
  if (!entry) throw new UsageError(`unknown command ${JSON.stringify(word)}`, TOP_HELP);
  if (entry.kind === 'command') return command(entry, rest);
  const [sub, ...args] = rest;
  if (sub === 'help') return args.length ? resolve([word, ...args, '--help'], entries) : { kind: 'help', text: groupHelp(entry) };
  const spec = entry.commands.find((c) => c.path[1] === sub);
  if (spec) return command(spec, args);
  if (wantsHelp(rest)) return { kind: 'help', text: groupHelp(entry) };
  const names = entry.commands.map((c) => c.path[1]).join(', ');
  throw usageError(entry, sub === undefined ? `${word} needs a command: ${names}` : `unknown ${word} command ${JSON.stringify(sub)} (commands: ${names})`);
}
