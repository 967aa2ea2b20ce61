/**
 * The docs test (test/docs/*.test.ts): the service in-process on 127.0.0.1 with a port from the OS, a
 * project and API key of its own on the test Neo4j, and each documentation file's blocks run against
 * it by test/support/doc-blocks.ts. The session's environment is what the docs tell readers to set:
 * PRECEDENT_URL, PRECEDENT_API_KEY and PROJECT (their project, for CLI commands), plus the test
 * server's NEO4J_* so that `npm run <command>` in a block works on the same database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { testApi, type TestApi } from './api.ts';
import { parseBlocks, runBlocks, type Block } from './doc-blocks.ts';
import { testConnection } from './graph.ts';

/** Files the docs test covers: README.md and every page under docs/, as paths relative to the repository. */
export function docFiles(): string[] {
  const pages = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...pages];
}

/** Files that test/docs/api.test.ts runs; test/docs/pages.test.ts runs all the others (two files, so the two CI workers share them). */
export const API_FILES = ['docs/api.md'];

/** Milliseconds one file's session may take (the whole docs test should stay well under 2 minutes). */
const FILE_TIMEOUT_MS = 90_000;

/** One `it` per file: its markers are valid, and every block not marked not-tested ran and ended as announced. */
export function docsTest(files: string[]): void {
  let api: TestApi;
  let url: string;
  beforeAll(async () => {
    api = await testApi();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no TCP address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await api?.close();
  });

  for (const file of files) {
    it(
      file,
      async () => {
        const { blocks, problems } = parseBlocks(file, readFileSync(join(REPO_ROOT, file), 'utf8'));
        expect(problems, 'markers').toEqual([]);
        const c = testConnection();
        const { NEO4J_URI: _u, NEO4J_USER: _n, NEO4J_PASSWORD: _p, NEO4J_DATABASE: _d, PRECEDENT_NEO4J_HOME: _h, ...base } = process.env;
        const env = {
          ...(base as Record<string, string>),
          PRECEDENT_URL: url,
          PRECEDENT_API_KEY: api.key,
          // The Python client from the checkout, as `pip install ./clients/python` would provide it.
          PYTHONPATH: [join(REPO_ROOT, 'clients', 'python', 'src'), process.env.PYTHONPATH].filter(Boolean).join(':'),
          PROJECT: api.project,
          NEO4J_URI: c.uri,
          NEO4J_USER: c.user,
          NEO4J_PASSWORD: c.password,
          NEO4J_DATABASE: c.database,
          npm_config_update_notifier: 'false',
          NO_COLOR: '1',
        };
        const tested = blocks.filter((b) => !b.markers.notTested);
        const r = await runBlocks(REPO_ROOT, join(REPO_ROOT, file), blocks, env, FILE_TIMEOUT_MS);
        const slow = [...r.done].filter(([, ms]) => ms >= 1000).map(([line, ms]) => `${line}: ${(ms / 1000).toFixed(1)} s`);
        console.log(
          `[docs] ${file}: ${r.done.size} of ${tested.length} tested block(s) ran in ${r.seconds.toFixed(1)} s; ` +
            `${blocks.length - tested.length} marked not-tested${slow.length ? `; slowest: ${slow.join(', ')}` : ''}`,
        );
        // PRECEDENT_DOCS_OUTPUT=1 shows what every block printed, e.g. to refresh a sample output in the docs.
        if (process.env.PRECEDENT_DOCS_OUTPUT) console.log(r.output);
        if (r.exitCode !== 0) {
          const failed = blocks.find((b) => b.line === r.current);
          throw new Error(
            `${file}:${r.current ?? '?'} failed (exit ${r.exitCode})\n${failed ? describe(failed) : ''}\n--- session output (end) ---\n${r.output.slice(-6000)}`,
          );
        }
        const notRun = tested.filter((b) => !r.done.has(b.line)).map((b) => `${file}:${b.line}`);
        expect(notRun, 'blocks neither run nor marked not-tested').toEqual([]);
        const missing = tested.flatMap((b) =>
          (b.markers.expectStatus ?? [])
            .filter((s) => !(r.statuses.get(b.line) ?? []).includes(s))
            .map((s) => `${file}:${b.line} announces ${s}, curl never got it`),
        );
        expect(missing, 'announced statuses').toEqual([]);
      },
      FILE_TIMEOUT_MS + 30_000,
    );
  }
}

function describe(b: Block): string {
  return `--- the block (${b.lang}) ---\n${b.code}`;
}
