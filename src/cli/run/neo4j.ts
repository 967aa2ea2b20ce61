import { SetupError } from '../../../graph/server/errors.ts';
import { adminDatabase, instanceStatus, stopInstance } from '../../../graph/server/instance.ts';
import type { Config } from '../../config.ts';
import { openGraph } from '../graph.ts';
import { log, report } from '../io.ts';
import type { Input } from '../spec.ts';

/** The local server's folder; these commands refuse to touch a server precedent does not run. */
function localHome(config: Config): string {
  const n = config.neo4j;
  if (n.mode === 'external') {
    throw new SetupError(`NEO4J_URI is set (${n.uri}): precedent does not manage that server.`, "Unset NEO4J_URI to use the project's own local Neo4j.");
  }
  return n.home;
}

export async function neo4jStart(config: Config): Promise<void> {
  localHome(config);
  const { graph, info, local } = await openGraph(config);
  await graph.close();
  // The password is shown once, when it was just set; afterwards only where it is kept.
  const password = local?.passwordSetNow ? `password ${local.password}` : `password in ${local?.home}/instance.json`;
  log(`Neo4j ${info.version} ${info.edition} answers at ${local?.boltUri}; Browser ${local?.browserUrl}; user ${local?.user} ${password}`);
}

export async function neo4jStop(config: Config): Promise<void> {
  const r = await stopInstance(localHome(config));
  log(r.stopped ? `Neo4j stopped (pid ${r.pid})` : 'Neo4j was not running');
}

export async function neo4jStatus(config: Config): Promise<void> {
  const home = localHome(config);
  const s = await instanceStatus(home);
  if (s.running)
    report(
      `running (pid ${s.pid}); Bolt ${s.boltAnswers ? 'answers' : 'not answering yet'} on ${s.state?.boltPort}; HTTP ${s.httpAnswers ? 'answers' : 'not answering yet'} on ${s.state?.httpPort}; logs ${s.logs}`,
    );
  else report(`not running (home ${home}); logs ${s.logs}`);
  process.exitCode = s.running && s.boltAnswers ? 0 : 3;
}

export async function neo4jDump(config: Config, input: Input): Promise<void> {
  log(`dumped the local database to ${adminDatabase(localHome(config), 'dump', input.args[0]!)}`);
}

export async function neo4jLoad(config: Config, input: Input): Promise<void> {
  log(`loaded ${adminDatabase(localHome(config), 'load', input.args[0]!)} into the local database (start it with npm start)`);
}
