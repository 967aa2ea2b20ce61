import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT } from '../../graph/repositories/projects.ts';
import { DEFAULT_PROJECT as CLI_DEFAULT_PROJECT, ENTRIES } from '../../src/cli/commands.ts';
import { REPO_ROOT } from '../../src/config.ts';

const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const scripts: Record<string, string> = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;

/*
 * Help must answer without reading the configuration or touching Neo4j. This environment makes
 * any other path fail at once (an invalid PORT, an unreachable external server), so a command
 * that ignored --help fails the test instead of starting a server.
 */
const POISON = { PORT: 'not-a-port', NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'whatever-pw' };

interface Run {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...POISON } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ args, status, stdout, stderr }));
  });
}

/** Runs the command lines a few at a time: the machine has 2 cores and other tests run beside these. */
async function cliAll(lines: string[][]): Promise<Run[]> {
  const runs: Run[] = [];
  for (let i = 0; i < lines.length; i += 3) runs.push(...(await Promise.all(lines.slice(i, i + 3).map(cli))));
  return runs;
}

/** Each npm script that ends in src/cli.ts, with the arguments it passes. */
function cliScripts(): [string, string[]][] {
  return Object.entries(scripts).flatMap(([name, cmd]): [string, string[]][] => {
    // npm start goes through scripts/bootstrap.mjs, which installs dependencies and then runs `src/cli.ts start`.
    if (cmd === 'node scripts/bootstrap.mjs start') return [[name, ['start']]];
    const m = /^tsx src\/cli\.ts (.+)$/.exec(cmd);
    return m ? [[name, m[1]!.split(' ')]] : [];
  });
}

function expectUsage(r: Run) {
  const line = r.args.join(' ');
  expect(r.status, `${line}: ${r.stderr}`).toBe(0);
  expect(r.stderr, line).toBe('');
  expect(r.stdout, line).toMatch(/^Usage: npm /);
  expect(r.stdout, line).toMatch(/\nExamples?:\n {2}\S/);
}

const groups = ENTRIES.flatMap((e) => (e.kind === 'group' ? [e] : []));
const commands = ENTRIES.flatMap((e) => (e.kind === 'group' ? e.commands : [e]));

describe('--help', () => {
  it('answers for every npm script that runs the CLI: usage, options, example, exit 0', async () => {
    const list = cliScripts();
    // Guards the discovery itself: if the scripts' shape changes, this must not silently test nothing.
    expect(list.map(([n]) => n)).toEqual(
      expect.arrayContaining(['start', 'serve', 'neo4j:start', 'stop', 'migrate', 'replay', 'demo', 'dataset', 'keys', 'export', 'import']),
    );
    for (const r of await cliAll(list.map(([, args]) => [...args, '--help']))) {
      expectUsage(r);
      // A group lists its commands; a command its options (at least --help itself).
      const group = r.args.length === 2 && groups.some((g) => g.path[0] === r.args[0]);
      expect(r.stdout, r.args.join(' ')).toMatch(group ? /\nCommands:\n {2}npm / : /\nOptions:\n(.*\n)* {2}-h, --help /);
    }
  });

  it('answers for every command and group, with -h and the help subcommand too', async () => {
    const lines = [
      ['--help'],
      ['-h'],
      ['help'],
      ...commands.map((c) => [...c.path, '--help']),
      ['keys', 'create', '-h'],
      ...groups.flatMap((g) => [
        [...g.path, '--help'],
        [...g.path, '-h'],
        [...g.path, 'help'],
        [...g.path, 'help', g.commands[0]!.path[1]!],
      ]),
      ['help', 'keys', 'create'],
    ];
    for (const r of await cliAll(lines)) expectUsage(r);
  });

  it("shows a group's commands and a command's options with their defaults", async () => {
    const [dataset, add, create, top] = await cliAll([['dataset', '--help'], ['dataset', 'add', '--help'], ['keys', 'create', '--help'], ['--help']]);
    expect(dataset!.stdout).toContain('npm run dataset -- add --csv <path> --name <name>');
    expect(dataset!.stdout).toContain('npm run dataset -- list [--project <name>] [--json]');
    expect(add!.stdout).toMatch(/--version <label> +the version label \(default: 1\)/);
    expect(add!.stdout).toMatch(/--task-type <type> +.*one of auto, classification, regression; default: auto/);
    expect(create!.stdout).toMatch(/--project <name> +.*\(required\)/);
    for (const c of commands) expect(top!.stdout).toContain(c.npm);
  });

  it('wins over a wrong option on the same line', async () => {
    const [r] = await cliAll([['keys', 'create', '--no-such-option', '--help']]);
    expectUsage(r!);
  });
});

describe('the commands in the help', () => {
  it('are the npm scripts: each `npm run …` in a help text runs that very command', () => {
    for (const c of commands) {
      const [, script, ...rest] = /^npm (?:run )?(\S+)(?: -- (.+))?$/.exec(c.npm) ?? [];
      expect(script, c.npm).toBeDefined();
      const target = cliScripts().find(([n]) => n === script)?.[1];
      expect([...(target ?? []), ...rest.filter(Boolean).flatMap((r) => r!.split(' '))], c.npm).toEqual(c.path);
    }
  });

  it("use the graph's default project name", () => {
    expect(CLI_DEFAULT_PROJECT).toBe(DEFAULT_PROJECT);
  });
});

describe('a command line the CLI cannot run', () => {
  it('names the unknown command, subcommand, option or argument in one line on stderr, points to --help, exits 2', async () => {
    const cases: [string[], string, string][] = [
      [['frobnicate'], 'unknown command "frobnicate"', 'npx tsx src/cli.ts --help'],
      [['dataset', 'frobnicate'], 'unknown dataset command "frobnicate"', 'npm run dataset -- --help'],
      [['keys', 'rotate'], 'unknown keys command "rotate"', 'npm run keys -- --help'],
      [['neo4j', 'restart'], 'unknown neo4j command "restart"', '--help'],
      [['dataset', 'list', '--format', 'csv'], 'unknown option --format', 'npm run dataset -- list --help'],
      [['start', '--port', '9090'], 'unknown option --port', 'npm start -- --help'],
      [['keys', 'revoke', 'a', 'b'], 'unexpected argument "b"', 'npm run keys -- revoke --help'],
    ];
    const runs = await cliAll(cases.map(([args]) => args));
    runs.forEach((r, i) => {
      const [, names, help] = cases[i]!;
      expect(r.status, r.args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(names);
      expect(r.stderr).toContain(help);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('explains a missing or wrong value and exits 1, as it always did', async () => {
    const [create, taskType, noValue] = await cliAll([
      ['keys', 'create'],
      ['dataset', 'add', '--csv', 'x.csv', '--name', 'x', '--task-type', 'clustering'],
      ['dataset', 'add', '--csv'],
    ]);
    expect(create!.status).toBe(1);
    expect(create!.stderr).toContain('keys create needs --project <name>');
    expect(taskType!.status).toBe(1);
    expect(taskType!.stderr).toContain('--task-type must be auto, classification or regression (got "clustering")');
    expect(noValue!.status).toBe(1);
    expect(noValue!.stderr).toContain('--csv needs a value');
  });
});
