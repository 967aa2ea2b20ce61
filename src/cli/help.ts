import { helpCommand, withArgs, type CommandSpec, type Entry, type GroupSpec } from './spec.ts';

const WIDTH = 100;
const EXITS = '0 success, 1 failure (also a missing or wrong option value), 2 unknown command, option or argument';

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** Two columns, the second wrapped under itself. */
function columns(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([a]) => a.length)) + 3;
  return rows
    .map(([a, b]) => {
      const body = wrap(b, ' '.repeat(2 + w)).trimStart();
      return `  ${a.padEnd(w)}${body}`;
    })
    .join('\n');
}

export function synopsis(c: CommandSpec): string {
  const parts = [
    ...(c.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`)),
    ...Object.entries(c.options ?? {}).map(([k, o]) => {
      const word = o.type === 'string' ? `--${k} ${o.meta ?? '<value>'}` : `--${k}`;
      return o.required ? word : `[${word}]`;
    }),
  ];
  return parts.length ? `${withArgs(c.npm)} ${parts.join(' ')}` : c.npm;
}

function section(title: string, body: string | undefined): string[] {
  return body ? [`${title}:`, body, ''] : [];
}

function examples(list: string[]): string[] {
  return [list.length > 1 ? 'Examples:' : 'Example:', ...list.map((e) => `  ${e}`)];
}

export function commandHelp(c: CommandSpec): string {
  const opts: [string, string][] = Object.entries(c.options ?? {}).map(([k, o]) => {
    const notes = [
      o.choices ? `one of ${o.choices.join(', ')}` : '',
      o.required ? 'required' : o.default !== undefined || o.fallback ? `default: ${o.default ?? o.fallback}` : '',
    ].filter(Boolean);
    return [o.type === 'string' ? `--${k} ${o.meta ?? '<value>'}` : `--${k}`, `${o.help}${notes.length ? ` (${notes.join('; ')})` : ''}`];
  });
  opts.push(['-h, --help', 'show this help']);
  const args: [string, string][] = (c.args ?? []).map((a) => [`<${a.name}>`, `${a.help}${a.default ? ` (default: ${a.default})` : ''}`]);
  return [
    `Usage: ${synopsis(c)}`,
    '',
    wrap(c.about, ''),
    '',
    ...section('Arguments', args.length ? columns(args) : undefined),
    ...section('Options', columns(opts)),
    ...section('Environment', c.env ? columns(Object.entries(c.env)) : undefined),
    ...section('Output', c.output ? wrap(c.output, '  ') : undefined),
    ...section('Exit status', wrap([EXITS, ...(c.exits ?? [])].join('; '), '  ')),
    ...examples(c.examples),
  ].join('\n');
}

export function groupHelp(g: GroupSpec): string {
  const list = g.commands.flatMap((c) => [`  ${synopsis(c)}`, wrap(c.summary, '      ')]);
  return [
    `Usage: ${g.npm.includes('<command>') ? `${g.npm} [-- <arguments>]` : `${withArgs(g.npm)} <command> [<arguments>]`}`,
    '',
    wrap(g.about, ''),
    '',
    'Commands:',
    ...list,
    '',
    wrap(
      `Each command takes -h/--help for its options, defaults and examples, e.g. \`${helpCommand(g.commands[0]!)}\`${
        g.npm.includes(' --') ? ` (or \`${withArgs(g.npm)} help ${g.commands[0]!.path.at(-1)}\`)` : ''
      }.`,
      '',
    ),
    '',
    ...examples(g.examples),
  ].join('\n');
}

export function topHelp(entries: Entry[]): string {
  const commands = entries.flatMap((e) => (e.kind === 'group' ? e.commands : [e]));
  return [
    'Usage: npm run <command> [-- <options>]      (or: npx tsx src/cli.ts <command> [<options>])',
    '',
    wrap("precedent's command line: the service, its local Neo4j, the schema, API keys, datasets, backups and replay.", ''),
    '',
    'Commands:',
    columns(commands.map((c) => [c.npm, c.summary])),
    '',
    wrap(
      'Every command takes -h/--help: `npm run <command> -- --help`. stdout carries only what a command produces (a key, a list, an export, a report), so `$(npm run -s …)` captures it; progress and status lines go to stderr. Configuration is by environment variables (docs/configuration.md).',
      '',
    ),
    '',
    'Exit status:',
    wrap(EXITS, '  '),
    '',
    ...examples(['npm run keys -- create --help', 'KEY=$(npm run -s keys -- create --project team-a)']),
  ].join('\n');
}
