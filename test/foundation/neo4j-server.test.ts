import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect, explainConnectionError, verify } from '../../graph/driver.ts';
import { SetupError } from '../../graph/server/errors.ts';
import { findJava } from '../../graph/server/java.ts';
import { freePort, instanceStatus, readState, startInstance, startOnFreePorts, stopInstance } from '../../graph/server/instance.ts';
import { provisionJars } from '../../graph/server/provision.ts';
import { testConnection } from '../support/graph.ts';

const n = inject('neo4j');
const local = n.home !== '';
const tmp = mkdtempSync(join(tmpdir(), 'precedent-neo4j-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(local)('the local Neo4j server', () => {
  it('serves Neo4j Browser over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${n.httpPort}/browser/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Neo4j Browser');
  });

  it('is Neo4j 5.26 Community, with the credentials stored owner-only', async () => {
    const graph = connect(testConnection());
    try {
      const info = await verify(graph, testConnection());
      expect(info.edition).toBe('community');
      expect(info.version).toMatch(/^5\.26\./);
    } finally {
      await graph.close();
    }
    expect(readState(n.home)?.password).toBe(n.password);
    const { statSync } = await import('node:fs');
    expect(statSync(join(n.home, 'instance.json')).mode & 0o777).toBe(0o600);
  });

  it('explains a wrong password', async () => {
    const graph = connect({ ...testConnection(), password: 'not-the-password' });
    try {
      await expect(verify(graph, testConnection())).rejects.toThrow(/rejected the credentials of user "neo4j"/);
    } finally {
      await graph.close();
    }
  });

  it('keeps its data across stop and start, with status and PID file in between', async () => {
    const home = join(tmp, 'lifecycle');
    // A password that starts with '-' must not be taken for an option of neo4j-admin.
    const first = await startOnFreePorts({ home, heap: '256m', pageCache: '64m' }, { initialPassword: '-starts-with-a-dash' });
    expect(first.password).toBe('-starts-with-a-dash');
    // Set through an argument file that only its owner reads and that is gone once it is used, never
    // on the command line (the process list); shown once, when it is set.
    expect(first.passwordSetNow).toBe(true);
    expect(readdirSync(join(home, 'run')).filter((f) => f.startsWith('initial-password'))).toEqual([]);
    const spec = { home, boltPort: first.boltPort, httpPort: first.httpPort, heap: '256m', pageCache: '64m' };
    try {
      expect(first.startedNow).toBe(true);
      expect((await instanceStatus(home)).running).toBe(true);
      const c = { uri: first.boltUri, user: first.user, password: first.password, database: 'neo4j' };
      let graph = connect(c);
      await graph.driver.executeQuery("CREATE (:Probe {name: 'survives restarts'})", {}, { database: 'neo4j' });
      await graph.close();
      expect((await startInstance(spec)).startedNow).toBe(false);
      expect((await stopInstance(home)).stopped).toBe(true);
      const stopped = await instanceStatus(home);
      expect(stopped.running).toBe(false);
      expect(stopped.boltAnswers).toBe(false);
      const second = await startInstance(spec);
      expect(second.password).toBe(first.password);
      expect(second.passwordSetNow).toBe(false);
      graph = connect(c);
      const res = await graph.driver.executeQuery('MATCH (p:Probe) RETURN p.name AS name', {}, { database: 'neo4j' });
      await graph.close();
      expect(res.records.map((r) => r.get('name'))).toEqual(['survives restarts']);
    } finally {
      await stopInstance(home);
    }
  }, 120_000);

  it('explains a port that another program holds', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const err = await startInstance({ home: join(tmp, 'blocked'), boltPort: port, httpPort: await freePort(), heap: '256m', pageCache: '64m' }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(SetupError);
      expect((err as SetupError).message).toContain(`Port ${port} (Neo4j Bolt) is already in use`);
      expect((err as SetupError).hint).toContain('PRECEDENT_NEO4J_BOLT_PORT');
    } finally {
      blocker.close();
    }
  });
});

describe('setup errors', () => {
  it('explains a missing Java', () => {
    const err = (() => {
      try {
        findJava({ PATH: '/nonexistent', JAVA_HOME: '/nonexistent' }, join(tmp, 'no-jvms'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).message).toMatch(/No Java 17 or 21 runtime found/);
    expect((err as SetupError).hint).toContain('apt-get install');
  });

  it('finds a supported Java on this machine', () => {
    expect([17, 21]).toContain(findJava().major);
  });

  it('explains a download that cannot happen (no Maven)', () => {
    const err = (() => {
      try {
        provisionJars(() => {}, { PATH: '/nonexistent', PRECEDENT_CACHE_DIR: join(tmp, 'cache') });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).message).toContain('Maven (mvn) is needed');
  });

  it('maps driver failures to advice', () => {
    const c = { uri: 'bolt://x:1', user: 'u', database: 'neo4j' };
    expect(explainConnectionError({ code: 'ServiceUnavailable', message: 'refused' }, c)?.message).toContain('Cannot reach Neo4j');
    expect(explainConnectionError({ code: 'Neo.ClientError.Database.DatabaseNotFound' }, c)?.hint).toContain('NEO4J_DATABASE');
    expect(explainConnectionError({ code: 'Neo.ClientError.Statement.SyntaxError' }, c)).toBeUndefined();
  });
});
