import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problems(env: NodeJS.ProcessEnv): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the local server and loopback', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.neo4j.mode).toBe('local');
    if (c.neo4j.mode === 'local') {
      expect(c.neo4j.boltPort).toBe(7687);
      expect(c.neo4j.httpPort).toBe(7474);
      expect(c.neo4j.database).toBe('neo4j');
      expect(c.neo4j.home).toMatch(/\.neo4j\/default$/);
    }
  });

  it('uses an external server when NEO4J_URI is set', () => {
    const c = loadConfig({ NEO4J_URI: 'neo4j+s://abc.databases.neo4j.io', NEO4J_PASSWORD: 'secret-pw', NEO4J_USER: 'admin', NEO4J_DATABASE: 'models' });
    expect(c.neo4j).toEqual({ mode: 'external', uri: 'neo4j+s://abc.databases.neo4j.io', user: 'admin', password: 'secret-pw', database: 'models' });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ NEO4J_URI: '', PORT: '', HOST: '' }).http).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it('names the variable, the reason and the value for a bad port', () => {
    const p = problems({ PORT: 'eighty' });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ variable: 'PORT', value: 'eighty' });
    expect(p[0]?.reason).toMatch(/number/);
    expect(problems({ PORT: '70000' })[0]?.reason).toMatch(/between 1 and 65535/);
  });

  it('rejects a URI that is not Bolt and requires a password with it', () => {
    const p = problems({ NEO4J_URI: 'http://localhost:7474' });
    expect(p.map((x) => x.variable).sort()).toEqual(['NEO4J_PASSWORD', 'NEO4J_URI']);
    expect(p.find((x) => x.variable === 'NEO4J_URI')?.reason).toMatch(/Bolt URI/);
  });

  it('never echoes the password in the error', () => {
    const err = (() => {
      try {
        loadConfig({ NEO4J_PASSWORD: 'short' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.message).toMatch(/NEO4J_PASSWORD: must have at least 8 characters/);
    expect(err?.message).not.toContain('short"');
  });

  it('reads the stale-trial timeout', () => {
    expect(loadConfig({}).staleAfterSeconds).toBe(3600);
    expect(loadConfig({ PRECEDENT_STALE_AFTER_SECONDS: '0' }).staleAfterSeconds).toBe(0);
    expect(problems({ PRECEDENT_STALE_AFTER_SECONDS: '-5' })[0]?.reason).toMatch(/0 \(off\)/);
  });

  it('reads the search-space limits', () => {
    expect(loadConfig({}).spaceLimits).toEqual({ maxChoices: 10_000, maxWidth: 1_000 });
    expect(loadConfig({ PRECEDENT_MAX_CHOICES: '50000', PRECEDENT_MAX_SPACE_WIDTH: '4000' }).spaceLimits).toEqual({ maxChoices: 50_000, maxWidth: 4_000 });
    expect(problems({ PRECEDENT_MAX_CHOICES: '1000000' })[0]?.reason).toMatch(/at most 100000/);
  });

  it('reads the request deadline of asks', () => {
    expect(loadConfig({}).requestDeadlineSeconds).toBe(30);
    expect(loadConfig({ PRECEDENT_REQUEST_DEADLINE_SECONDS: '5' }).requestDeadlineSeconds).toBe(5);
    expect(problems({ PRECEDENT_REQUEST_DEADLINE_SECONDS: '0' })[0]?.variable).toBe('PRECEDENT_REQUEST_DEADLINE_SECONDS');
  });

  it('rejects bad database names, memory sizes and colliding ports', () => {
    expect(problems({ NEO4J_DATABASE: '1-bad name' })[0]?.variable).toBe('NEO4J_DATABASE');
    expect(problems({ PRECEDENT_NEO4J_HEAP: 'lots' })[0]?.reason).toMatch(/512m/);
    expect(problems({ PRECEDENT_NEO4J_BOLT_PORT: '9000', PRECEDENT_NEO4J_HTTP_PORT: '9000' })[0]?.variable).toBe('PRECEDENT_NEO4J_HTTP_PORT');
  });
});
