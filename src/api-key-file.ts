import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../graph/driver.ts';
import { createKey, hasActiveKey, projectForKey } from '../graph/repositories/keys.ts';
import { DEFAULT_PROJECT } from '../graph/repositories/projects.ts';
import { REPO_ROOT } from './config.ts';

/**
 * Where `npm start` keeps the default project's key for the local user: next to the local Neo4j's
 * own credentials (a 0700 folder), or for an external server in .precedent/ under the checkout,
 * one file per server and database. Files are 0600.
 */
export function keyFilePath(where: { localHome?: string; uri: string; database: string }): string {
  if (where.localHome) return join(where.localHome, 'api-key');
  const tag = createHash('sha256').update(`${where.uri}|${where.database}`).digest('hex').slice(0, 12);
  return join(REPO_ROOT, '.precedent', `api-key-${tag}`);
}

function writeSecret(path: string, secret: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export type DefaultKey = { status: 'created'; secret: string; path: string } | { status: 'stored'; path: string } | { status: 'elsewhere'; path: string };

/**
 * The quick start stays two commands: on a database whose default project has no key, create
 * one and store it for the local user. The secret is returned only when it was created now, so
 * it is printed once.
 */
export async function ensureDefaultKey(graph: Graph, path: string, project = DEFAULT_PROJECT): Promise<DefaultKey> {
  if (!(await hasActiveKey(graph, project))) {
    const { secret } = await createKey(graph, project, 'created by npm start');
    writeSecret(path, secret);
    return { status: 'created', secret, path };
  }
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored && (await projectForKey(graph, stored))) return { status: 'stored', path };
  }
  return { status: 'elsewhere', path };
}
