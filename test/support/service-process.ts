import { afterAll, beforeAll } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { createKey } from '../../graph/repositories/keys.ts';
import { spawnService, type ServiceProcess } from '../../bench/support/service-process.ts';
import { testConnection, testGraph } from './graph.ts';

export type { ServiceProcess };

/** A service process on the test Neo4j (see spawnService). */
export function startServiceProcess(env: Record<string, string> = {}): Promise<ServiceProcess> {
  return spawnService(testConnection(), env);
}

/**
 * Two service processes on the test Neo4j, a graph connection and an API key of a project of its own,
 * for one test file: started before its tests, stopped (killed, if `kill`) after them. Processes of
 * their own, as behind a load balancer: in one process the replicas' asks interleave only at awaits,
 * and the races between a read and a record that matter here hardly happen.
 */
export function twoReplicas(project: string, stopSignal: NodeJS.Signals = 'SIGTERM'): { replicas: ServiceProcess[]; graph: Graph; secret: string } {
  const ctx = {} as { replicas: ServiceProcess[]; graph: Graph; secret: string };
  beforeAll(async () => {
    ctx.graph = testGraph();
    ctx.replicas = await Promise.all([startServiceProcess(), startServiceProcess()]);
    ctx.secret = (await createKey(ctx.graph, `${project}-${Date.now()}`, 'test')).secret;
  }, 120_000);
  afterAll(async () => {
    await Promise.all((ctx.replicas ?? []).map((r) => r.stop(stopSignal)));
    await ctx.graph?.close();
  });
  return ctx;
}
