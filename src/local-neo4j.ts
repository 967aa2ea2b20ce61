import type { Connection } from '../graph/driver.ts';
import { startInstance, type InstanceSpec, type RunningInstance } from '../graph/server/instance.ts';
import type { Config } from './config.ts';

type LocalConfig = Extract<Config['neo4j'], { mode: 'local' }>;

export function localSpec(c: LocalConfig, serviceUrl?: string): InstanceSpec {
  return {
    home: c.home,
    boltPort: c.boltPort,
    httpPort: c.httpPort,
    heap: c.heap,
    pageCache: c.pageCache,
    guideHosts: ['localhost', '127.0.0.1'],
    postConnectCommand: serviceUrl ? `play ${serviceUrl}/browser-guide` : undefined,
  };
}

/** Resolves where the graph is: the project's own local server (started if needed) or an external one. */
export async function resolveConnection(
  config: Config,
  log: (line: string) => void,
  serviceUrl?: string,
): Promise<{ connection: Connection; local?: RunningInstance }> {
  const n = config.neo4j;
  if (n.mode === 'external') {
    return { connection: { uri: n.uri, user: n.user, password: n.password, database: n.database } };
  }
  const local = await startInstance(localSpec(n, serviceUrl), { initialPassword: n.initialPassword, log });
  log(
    local.startedNow
      ? `Neo4j ${local.neo4jVersion} started in ${local.seconds.toFixed(1)} s (pid ${local.pid}, data in ${local.home}/data)`
      : `Neo4j already running (pid ${local.pid})`,
  );
  return { connection: { uri: local.boltUri, user: local.user, password: local.password, database: n.database }, local };
}
