import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { testGraph } from './graph.ts';

/** Headers of a JSON Lines import body. */
export const NDJSON = { 'content-type': 'application/x-ndjson' };

export interface TestApi {
  app: FastifyInstance;
  /** The app's graph (e.g. to record the statements it sends). */
  graph: Graph;
  project: string;
  projectId: string;
  /** The API key of `project`, as sent in Authorization: Bearer. */
  key: string;
  /** A key for another, new project (for isolation tests). */
  otherKey(): Promise<string>;
  call(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** An app on the test Neo4j, acting in a project of its own so test files never see each other's data. */
export async function testApi(opts: Omit<AppOptions, 'graph'> = {}): Promise<TestApi> {
  const graph = testGraph();
  // Only errors are logged: an unexpected 500 then shows its cause in the test output.
  const app = await buildApp({ logger: { level: 'error' }, ...opts, graph });
  const project = `test-${randomUUID()}`;
  const { secret, projectId } = await createKey(graph, project, 'test');
  return {
    app,
    graph,
    project,
    projectId,
    key: secret,
    otherKey: async () => (await createKey(graph, `test-${randomUUID()}`, 'test')).secret,
    async call(method, url, payload, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secret}`, ...headers },
        ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }),
      });
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body, text: res.body, headers: res.headers };
    },
    async close() {
      await app.close();
      await graph.close();
    },
  };
}

/** A test API and a graph connection for one test file: opened before its tests, closed after them. */
export function apiAndGraph(): { api: TestApi; graph: Graph } {
  const ctx = {} as { api: TestApi; graph: Graph };
  beforeAll(async () => {
    ctx.api = await testApi();
    ctx.graph = testGraph();
  });
  afterAll(async () => {
    await ctx.api.close();
    await ctx.graph.close();
  });
  return ctx;
}
