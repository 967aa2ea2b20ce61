import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../graph/driver.ts';
import { buildApp } from '../../src/app.ts';
import { testGraph } from '../support/graph.ts';

const graph = testGraph();
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ graph });
});
afterAll(async () => {
  await app.close();
  await graph.close();
});

describe('service skeleton', () => {
  it('GET /health reports Neo4j up with its version', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.neo4j.status).toBe('up');
    expect(body.neo4j.version).toMatch(/^5\./);
    expect(body.neo4j.database).toBe('neo4j');
    expect(body.service.name).toBe('precedent');
  });

  it('GET /v1, the API URL npm start prints, answers without a key and leads to the docs and every collection it lists', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.service.name).toBe('precedent');
    for (const path of [body.documentation, body.openapi, body.health]) expect((await app.inject({ method: 'GET', url: path })).statusCode, path).not.toBe(404);
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const r of body.resources as { path: string }[]) expect(Object.keys(openapi.paths), r.path).toContain(r.path);
    // Only the root is open: a collection still needs a key.
    expect((await app.inject({ method: 'GET', url: '/v1/experiments' })).statusCode).toBe(401);
  });

  it('GET /health is 503 with Retry-After when Neo4j is unreachable', async () => {
    const dead = connect({ uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: 'irrelevant', database: 'neo4j' });
    const down = await buildApp({ graph: dead });
    try {
      const res = await down.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().neo4j.status).toBe('down');
    } finally {
      await down.close();
      await dead.close();
    }
  });

  it('publishes an OpenAPI document and interactive docs', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.paths['/health'].get).toBeDefined();
    for (const path of [
      '/v1/datasets',
      '/v1/datasets/{id}',
      '/v1/experiments',
      '/v1/experiments/{id}',
      '/v1/experiments/{id}/trials',
      '/v1/experiments/{id}/pause',
      '/v1/trials/{id}/complete',
      '/v1/similar-experiments',
      '/v1/experiments/{id}/similar',
      '/v1/import',
      '/v1/experiments/{id}/export',
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, message: 'Route GET /nope not found' });
  });
});
