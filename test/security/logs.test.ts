import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../graph/repositories/keys.ts';
import { buildApp } from '../../src/app.ts';
import { testConnection, testGraph } from '../support/graph.ts';

const graph = testGraph();
const lines: string[] = [];
let app: Awaited<ReturnType<typeof buildApp>>;
let key: string;

beforeAll(async () => {
  key = (await createKey(graph, `logs-${Date.now()}`, 'test')).secret;
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // The most talkative level: whatever the service logs, no secret may be in it.
  app = await buildApp({ graph, logger: { level: 'trace', stream } });
});
afterAll(async () => {
  await app.close();
  await graph.close();
});

describe('logs', () => {
  it('never contain API keys, the Neo4j password or Authorization headers, even for failing requests', async () => {
    const auth = { authorization: `Bearer ${key}` };
    await app.inject({ method: 'GET', url: '/v1/experiments', headers: auth });
    await app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: { name: '' } });
    await app.inject({ method: 'GET', url: '/v1/experiments', headers: { authorization: 'Bearer prc_wrong-key-value-1234567890' } });
    await app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...auth, 'content-type': 'application/json' }, payload: '{broken' });
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(4);
    expect(all).not.toContain(key);
    expect(all).not.toContain(key.slice(4, 20));
    expect(all).not.toContain('prc_wrong-key-value');
    expect(all).not.toContain(testConnection().password);
    expect(all.toLowerCase()).not.toContain('authorization');
  });
});
