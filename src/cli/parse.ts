import { parseArgs } from 'node:util';
import { helpCommand, type CommandSpec, type Entry, type Input } from './spec.ts';

/**
 * A command line the CLI cannot run. It prints as one line with a pointer to the help. Exit 2
 * when the line names something that does not exist (a command, an option, an argument too
 * many), 1 when a value is missing or wrong — the status these errors always had.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const usageError = (entry: Entry, message: string, exitCode: 1 | 2 = 2) => new UsageError(message, helpCommand(entry), exitCode);

/** --help or -h anywhere before `--` wins over everything else on the line, even a wrong option. */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Checks the arguments against the command's spec. node:util's strict mode would do part of it,
 * but its messages are long and differ between Node versions; the tokens let each error name
 * exactly the word that is wrong.
 */
export function parseCommand(spec: CommandSpec, argv: string[]): Input {
  const specs = spec.options ?? {};
  const name = spec.path.join(' ');
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(specs).map(([k, o]) => [k, { type: o.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const input: Input = { opts: {}, flags: {}, args: [] };
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const o = specs[t.name];
    if (!o) throw usageError(spec, `unknown option ${t.rawName} for ${name}`);
    if (o.type === 'boolean') {
      if (t.value !== undefined) throw usageError(spec, `${t.rawName} takes no value`, 1);
      input.flags[t.name] = true;
    } else {
      // `--project --json` would otherwise make "--json" the project name.
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))
        throw usageError(spec, `${t.rawName} needs a value${o.meta ? ` (${o.meta})` : ''}`, 1);
      input.opts[t.name] = t.value;
    }
  }
  for (const [k, o] of Object.entries(specs)) {
    if (o.type === 'boolean') {
      input.flags[k] ??= false;
      continue;
    }
    const v = (input.opts[k] ??= o.default);
    if (v === undefined && o.required) throw usageError(spec, `${name} needs --${k} ${o.meta ?? ''}`.trimEnd(), 1);
    if (v !== undefined && o.choices && !o.choices.includes(v)) {
      throw usageError(spec, `--${k} must be ${o.choices.slice(0, -1).join(', ')} or ${o.choices.at(-1)} (got ${JSON.stringify(v)})`, 1);
    }
  }
  const args = spec.args ?? [];
  if (positionals.length > args.length) throw usageError(spec, `unexpected argument ${JSON.stringify(positionals[args.length])} for ${name}`);
  input.args = args.map((a, i) => {
    const v = positionals[i] ?? a.default;
    if (v === undefined && a.required) throw usageError(spec, `${name} needs <${a.name}>`, 1);
    return v;
  });
  return input;
}
