import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { testConnection } from '../support/graph.ts';

const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(tsx, ['src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('CLI errors', () => {
  it('explains a bad configuration in one message, without a stack trace', () => {
    const r = cli(['start'], { PORT: 'abc' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toContain('PORT: must be a number (got "abc")');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to manage a server it does not own', () => {
    const r = cli(['neo4j', 'stop'], { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'whatever-pw' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not manage that server');
  });

  it('explains an unreachable external server', () => {
    const r = cli(['migrate'], { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'whatever-pw' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Cannot reach Neo4j at bolt://127.0.0.1:1');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('stdout carries only what a command produces', () => {
  /*
   * The CLI as `npm run -s` runs it, on the test server. With the server's own folder it runs in
   * local mode, where it reports "Neo4j already running (pid …)" first: that line, and every other
   * status line, must reach stderr, or `X=$(npm run -s …)` captures it.
   */
  const { home } = inject('neo4j');
  const c = testConnection();
  const { NEO4J_URI: _u, NEO4J_USER: _n, NEO4J_PASSWORD: _p, NEO4J_DATABASE: _d, ...base } = process.env;
  const env = home
    ? { ...base, PRECEDENT_NEO4J_HOME: home }
    : { ...base, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database };
  const npm = (script: string, args: string[]) =>
    spawnSync('npm', ['run', '-s', script, '--', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });

  it('keys create prints the key alone, dataset add the id alone, dataset list --json and export pure JSON', () => {
    const project = `cli-stdout-${randomUUID()}`;
    const key = npm('keys', ['create', '--project', project]);
    expect(key.status, key.stderr).toBe(0);
    expect(key.stdout).toMatch(/^prc_[A-Za-z0-9_-]{32}\n$/);
    expect(key.stderr).toMatch(/\[precedent\] key \S+ for project "cli-stdout-/);
    if (home) expect(key.stderr).toMatch(/\[precedent\] Neo4j already running \(pid \d+\)/);

    const added = npm('dataset', ['add', '--csv', 'test/fixtures/csv/basic.csv', '--name', 'basic', '--project', project]);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(added.stderr).toContain('registered dataset basic v1');

    const listed = npm('dataset', ['list', '--project', project, '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((d: { id: string }) => d.id)).toEqual([added.stdout.trim()]);

    const exported = npm('export', ['--project', project]);
    expect(exported.status, exported.stderr).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).dataset.name).toBe('basic');
    expect(exported.stderr).toContain('exported project');
  });
});
