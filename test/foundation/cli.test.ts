import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';

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
