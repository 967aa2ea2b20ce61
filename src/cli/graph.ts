import { connect, verify, type Graph } from '../../graph/driver.ts';
import type { RunningInstance } from '../../graph/server/instance.ts';
import type { Config } from '../config.ts';
import { resolveConnection } from '../local-neo4j.ts';
import { log } from './io.ts';

export interface OpenGraph {
  graph: Graph;
  info: Awaited<ReturnType<typeof verify>>;
  /** The project's own server, when precedent runs it (not with NEO4J_URI). */
  local?: RunningInstance;
}

/** Connects to the configured graph (starting the local server if needed) and checks it answers. */
export async function openGraph(config: Config, serviceUrl?: string): Promise<OpenGraph> {
  const { connection, local } = await resolveConnection(config, log, serviceUrl);
  const graph = connect(connection);
  try {
    const info = await verify(graph, connection);
    return { graph, info, local };
  } catch (err) {
    await graph.close();
    throw err;
  }
}

/** Runs `work` on an open graph and always closes it, so a failed command does not hang on the driver. */
export async function withGraph<T>(config: Config, work: (graph: Graph) => Promise<T>): Promise<T> {
  const { graph } = await openGraph(config);
  try {
    return await work(graph);
  } finally {
    await graph.close();
  }
}
