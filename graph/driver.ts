import neo4j, { type Driver } from 'neo4j-driver';
import { Availability } from './availability.ts';
import { coalesceBoltWrites } from './bolt-writes.ts';
import { SetupError } from './server/errors.ts';

export interface Connection {
  uri: string;
  user: string;
  password: string;
  database: string;
}

export interface Graph {
  driver: Driver;
  database: string;
  /** Whether Neo4j is known to be down (see graph/availability.ts). */
  availability: Availability;
  /** Writes run in a transaction that is rolled back (see rehearsal() in graph/tx.ts). */
  rehearsal?: boolean;
  close(): Promise<void>;
}

export function connect(c: Connection, opts: { maxConnectionPoolSize?: number } = {}): Graph {
  coalesceBoltWrites();
  const driver = neo4j.driver(c.uri, neo4j.auth.basic(c.user, c.password), {
    // Counts and timestamps here stay far below 2^53; plain numbers keep the API layer simple.
    disableLosslessIntegers: true,
    maxConnectionPoolSize: opts.maxConnectionPoolSize ?? 64,
    connectionAcquisitionTimeout: 10_000,
    connectionTimeout: 5_000,
    // Retries are done by graph/tx.ts, which knows when the database is down and stops at once.
    maxTransactionRetryTime: 0,
    userAgent: 'precedent/0.1',
  });
  const availability = new Availability(driver, c.database);
  return {
    driver,
    database: c.database,
    availability,
    close: () => {
      availability.close();
      return driver.close();
    },
  };
}

export interface ServerInfo {
  version: string;
  edition: string;
}

/** Turns the driver's connection and auth failures into messages that say what to do. */
export function explainConnectionError(err: unknown, c: Pick<Connection, 'uri' | 'user' | 'database'>): SetupError | undefined {
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  if (code === 'Neo.ClientError.Security.Unauthorized' || code.includes('AuthenticationRateLimit')) {
    return new SetupError(
      `Neo4j at ${c.uri} rejected the credentials of user "${c.user}".`,
      'Check NEO4J_USER/NEO4J_PASSWORD. For the local server the password is in .neo4j/default/instance.json; ' +
        'NEO4J_PASSWORD only sets it for a store that was never started.',
    );
  }
  if (code === 'ServiceUnavailable' || code === 'SessionExpired') {
    return new SetupError(`Cannot reach Neo4j at ${c.uri}: ${e.message ?? code}.`, 'Start it (`npm run neo4j:start` for the local server) or fix NEO4J_URI.');
  }
  if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
    return new SetupError(
      `Neo4j at ${c.uri} has no database "${c.database}".`,
      'Create it (Enterprise/Aura) or set NEO4J_DATABASE to an existing one (Community has only "neo4j").',
    );
  }
  return undefined;
}

export async function serverInfo(graph: Graph): Promise<ServerInfo> {
  const res = await graph.driver.executeQuery(
    'CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition',
    {},
    // No bookmarks, as in Availability's probe: after a restored dump an old one is never reached.
    { database: graph.database, routing: 'READ', bookmarkManager: null },
  );
  const rec = res.records[0];
  return { version: String(rec?.get('version') ?? 'unknown'), edition: String(rec?.get('edition') ?? 'unknown') };
}

/** Fails fast with a clear SetupError when the server or database is unusable. */
export async function verify(graph: Graph, c: Pick<Connection, 'uri' | 'user' | 'database'>): Promise<ServerInfo> {
  try {
    // verifyConnectivity does not retry, so an unreachable server fails in one connection timeout.
    await graph.driver.verifyConnectivity({ database: graph.database });
    return await serverInfo(graph);
  } catch (err) {
    throw explainConnectionError(err, c) ?? err;
  }
}
