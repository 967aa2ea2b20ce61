// The service (src/app.ts, which registers the dashboard's routes) on the test Neo4j, with the demo knowledge base in a project of its own (test files share the database).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Graph } from '../../graph/driver.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { buildApp } from '../../src/app.ts';
import { loadDemo } from '../../src/demo.ts';
import type { UiOptions } from '../../src/routes/ui.ts';
import { testGraph } from '../support/graph.ts';

export interface DashboardTestApp {
  app: FastifyInstance;
  graph: Graph;
  project: string;
  projectId: string;
  key: string;
  /** Set once `listen()` ran. */
  url: string;
  demo: { experimentId: string; priorExperimentIds: string[] };
  call(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    key?: string | null,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** `buildApp` with the demo loaded; smaller than `npm start`'s (`priors`, `rounds`), which keeps it quick. */
export async function dashboardApp(opts: { priors?: number; rounds?: number; ui?: UiOptions } = {}): Promise<DashboardTestApp> {
  const graph = testGraph();
  const app = await buildApp({ graph, logger: { level: 'error' }, ui: opts.ui ?? {} });
  const project = `test-ui-${randomUUID()}`;
  const demo = await loadDemo(graph, { project, scope: 'project', priors: opts.priors ?? 4, rounds: opts.rounds ?? 10 });
  if (demo.status !== 'loaded') throw new Error(`the demo did not load: ${demo.message}`);
  const { secret, projectId } = await createKey(graph, project, 'dashboard test');
  const ctx: DashboardTestApp = {
    app,
    graph,
    project,
    projectId,
    key: secret,
    url: '',
    demo: { experimentId: demo.experimentId, priorExperimentIds: demo.priorExperimentIds },
    async call(method, url, payload, key = secret) {
      const res = await app.inject({
        method,
        url,
        headers: key === null ? {} : { authorization: `Bearer ${key}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body, headers: res.headers };
    },
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      ctx.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      return ctx.url;
    },
    async close() {
      await app.close();
      await graph.close();
    },
  };
  return ctx;
}
