import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect, type Connection } from '../../graph/driver.ts';
import { awaitIndexes, migrate } from '../../graph/schema/migrate.ts';
import { runningPid, startOnFreePorts, stopInstance } from '../../graph/server/instance.ts';
import { REPO_ROOT } from '../../src/config.ts';

/**
 * The suite runs against a real Neo4j of its own: a throw-away instance in .neo4j/test with
 * ports the OS hands out, so it never touches the user's database and never collides with a
 * running `npm start`. PRECEDENT_TEST_NEO4J_URI (+ _USER, _PASSWORD) points it at another
 * server instead; tests only ever write data under their own unique projects.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  if (env.PRECEDENT_TEST_NEO4J_URI) {
    const c = {
      uri: env.PRECEDENT_TEST_NEO4J_URI,
      user: env.PRECEDENT_TEST_NEO4J_USER ?? 'neo4j',
      password: env.PRECEDENT_TEST_NEO4J_PASSWORD ?? '',
      database: env.PRECEDENT_TEST_NEO4J_DATABASE ?? 'neo4j',
    };
    await applySchema(c);
    project.provide('neo4j', { ...c, httpPort: 0, home: '' });
    return async () => {};
  }
  // One folder per run: concurrent runs in one checkout must not stop each other's server.
  // Folders of earlier runs are removed once the run that made them is gone (crashed, killed) and
  // their server too: a live run's folder may be between servers (starting, or stopped for a dump).
  const base = join(REPO_ROOT, '.neo4j');
  mkdirSync(base, { recursive: true });
  for (const d of readdirSync(base)) {
    if (!d.startsWith('test-')) continue;
    const owner = Number(/-(\d+)$/.exec(d)?.[1]);
    if (Number.isInteger(owner) && processAlive(owner)) continue;
    if (runningPid(join(base, d)) === undefined) rmSync(join(base, d), { recursive: true, force: true });
  }
  const home = join(base, `test-${process.pid}`);
  rmSync(home, { recursive: true, force: true });
  const t0 = Date.now();
  const inst = await startOnFreePorts({ home, heap: '768m', pageCache: '256m' }, { log: (l) => console.log(`[test neo4j] ${l}`) });
  console.log(`[test neo4j] Neo4j ${inst.neo4jVersion} up at ${inst.boltUri} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await applySchema({ uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' });
  project.provide('neo4j', {
    uri: inst.boltUri,
    user: inst.user,
    password: inst.password,
    database: 'neo4j',
    httpPort: inst.httpPort,
    home,
  });
  return async () => {
    await stopInstance(home);
    rmSync(home, { recursive: true, force: true });
  };
}

/** The schema the service applies at start-up, with every index online before the first test. */
async function applySchema(c: Connection): Promise<void> {
  const graph = connect(c);
  try {
    await migrate(graph);
    await awaitIndexes(graph, 120);
  } finally {
    await graph.close();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: { uri: string; user: string; password: string; database: string; httpPort: number; home: string };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
