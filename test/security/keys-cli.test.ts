import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectForKey } from '../../graph/repositories/keys.ts';
import { getProjectByName } from '../../graph/repositories/projects.ts';
import { ensureDefaultKey } from '../../src/api-key-file.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { testConnection, testGraph } from '../support/graph.ts';

const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const c = testConnection();
const env = { ...process.env, NEO4J_URI: c.uri, NEO4J_USER: c.user, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database };
const cli = (args: string[]) => spawnSync(tsx, ['src/cli.ts', 'keys', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
const graph = testGraph();
afterAll(() => graph.close());

describe('npm run keys', () => {
  it('creates a key (secret alone on stdout, once), lists it by hint only, and revokes it', async () => {
    const project = `cli-${randomUUID()}`;
    const created = cli(['create', '--project', project, '--label', 'ci']);
    expect(created.status, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^prc_[A-Za-z0-9_-]{32}$/);
    const projectId = (await getProjectByName(graph, project)).id;
    expect(await projectForKey(graph, secret)).toBe(projectId);

    const listed = cli(['list', '--project', project]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(secret.slice(0, 8));
    expect(listed.stdout).not.toContain(secret);
    const id = /\[precedent\] (\S+)\s/.exec(listed.stdout)?.[1];
    expect(id).toBeTruthy();

    expect(cli(['revoke', id!]).status).toBe(0);
    expect(await projectForKey(graph, secret)).toBeNull();
    expect(cli(['list', '--project', project]).stdout).toContain('REVOKED');
  });

  it('explains bad usage without a stack trace', () => {
    const r = cli(['create']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('keys create needs --project');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(cli(['revoke', randomUUID()]).stderr).toMatch(/not found|no api key/i);
  });
});

describe('the key npm start makes for a fresh database', () => {
  it('is created once, stored owner-only, and afterwards only pointed to', async () => {
    const project = `start-${randomUUID()}`;
    const path = join(mkdtempSync(join(tmpdir(), 'precedent-key-')), 'nested', 'api-key');
    const first = await ensureDefaultKey(graph, path, project);
    expect(first.status).toBe('created');
    const secret = first.status === 'created' ? first.secret : '';
    expect(readFileSync(path, 'utf8').trim()).toBe(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await projectForKey(graph, secret)).toBe((await getProjectByName(graph, project)).id);
    expect(await ensureDefaultKey(graph, path, project)).toEqual({ status: 'stored', path });
    // A key exists but this user has no copy (another machine made it): point to `keys create`.
    expect(await ensureDefaultKey(graph, `${path}-elsewhere`, project)).toEqual({ status: 'elsewhere', path: `${path}-elsewhere` });
  });
});
