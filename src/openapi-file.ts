/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI document the service serves at
 * GET /openapi.json, from the app itself. No Neo4j is needed: the app is built on a driver that never
 * connects, and only the document is asked for. `npm run openapi -- --check` writes nothing and exits
 * 1 when the committed file differs from what the service serves (test/contract/openapi.test.ts
 * checks the same in npm test).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect } from '../graph/driver.ts';
import { buildApp } from './app.ts';
import { REPO_ROOT } from './config.ts';

export const OPENAPI_FILE = join(REPO_ROOT, 'docs', 'openapi.json');

/** The document as the service serves it with the default settings (PRECEDENT_PUBLIC_URL unset). */
export async function servedDocument(): Promise<unknown> {
  // Nothing is ever sent through this driver: it connects on first use, and the document needs none.
  const graph = connect({ uri: 'bolt://127.0.0.1:9', user: 'neo4j', password: 'not-used-at-all', database: 'neo4j' });
  try {
    const app = await buildApp({ graph });
    try {
      return (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    } finally {
      await app.close();
    }
  } finally {
    await graph.close();
  }
}

/** The file's text: JSON as Biome formats it, so `biome ci` passes on the committed file. */
export function formatDocument(doc: unknown): string {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${relative(REPO_ROOT, OPENAPI_FILE)}`], {
    cwd: REPO_ROOT,
    input: JSON.stringify(doc, null, 2),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`biome format failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

async function main(check: boolean): Promise<void> {
  const doc = await servedDocument();
  const file = relative(process.cwd(), OPENAPI_FILE);
  let committed: unknown;
  try {
    committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  } catch {
    committed = undefined;
  }
  if (check) {
    if (isDeepStrictEqual(committed, doc)) return console.log(`${file} is what the service serves`);
    console.error(`${file} differs from what the service serves: run \`npm run openapi\` and commit it`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(OPENAPI_FILE, formatDocument(doc));
  console.log(`${isDeepStrictEqual(committed, doc) ? 'unchanged' : 'wrote'} ${file}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) {
    console.error('usage: npm run openapi [-- --check]');
    process.exit(2);
  }
  await main(args.includes('--check'));
}
