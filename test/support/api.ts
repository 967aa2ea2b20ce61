import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { PROJECT_HEADER } from '../../src/projects.ts';
import { testGraph } from './graph.ts';

export interface TestApi {
  app: FastifyInstance;
  project: string;
  call(method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** An app on the test Neo4j, acting in a project of its own so test files never see each other's data. */
export async function testApi(opts: { csvLimit?: number } = {}): Promise<TestApi> {
  const graph = testGraph();
  // Only errors are logged: an unexpected 500 then shows its cause in the test output.
  const app = await buildApp({ graph, csvLimit: opts.csvLimit, logger: { level: 'error' } });
  const project = `test-${randomUUID()}`;
  return {
    app,
    project,
    async call(method, url, payload, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: { [PROJECT_HEADER]: project, ...headers },
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
