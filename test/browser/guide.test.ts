import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueries, parseQueries } from '../../graph/browser/guide.ts';
import { createDataset } from '../../graph/repositories/datasets.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('the saved queries file', () => {
  it('holds the five explorations, each explained', () => {
    const queries = loadQueries();
    expect(queries.map((q) => q.id)).toEqual(['experiment', 'similar-datasets', 'provenance', 'config-across-datasets', 'best-configs']);
    for (const q of queries) {
      expect(q.description.length, q.id).toBeGreaterThan(40);
      expect(q.cypher, q.id).toMatch(/\$project/);
      expect(q.cypher, q.id).not.toMatch(/^\/\//m);
    }
    // Within the project, scored like the vector index (which spans every project).
    expect(queries.find((q) => q.id === 'similar-datasets')!.cypher).toContain('vector.similarity.euclidean(d.embedding, similar.embedding)');
  });

  it('rejects a query without Cypher and a repeated id', () => {
    expect(() => parseQueries('// ==== a | A\n// text\n\n// ==== b | B\nRETURN 1;')).toThrow(/"a" has no Cypher/);
    expect(() => parseQueries('// ==== a | A\nRETURN 1;\n// ==== a | A again\nRETURN 2;')).toThrow(/"a" appears twice/);
  });
});

describe('GET /browser-guide', () => {
  it('serves Browser slides with every saved query runnable, pointing back at this service', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/browser-guide', headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:7474' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const html = res.body;
    const queries = loadQueries();
    expect(html.match(/<slide[ >]/g)).toHaveLength(queries.length + 2);
    expect(html).toContain('<title>');
    for (const q of queries) expect(html).toContain(`<pre mode="cypher" class="pre-scrollable code runnable">${escaped(q.cypher)}</pre>`);
    expect(html).toContain(':style http://127.0.0.1:8080/browser/style.grass');
    expect(html).toContain(':play http://127.0.0.1:8080/browser-guide');
    expect(html).not.toMatch(/<script/i);
  });

  it('answers the preflight Browser sends (its fetch adds pragma and cache-control headers)', async () => {
    const res = await api.app.inject({
      method: 'OPTIONS',
      url: '/browser-guide',
      headers: { origin: 'http://127.0.0.1:7474', 'access-control-request-method': 'GET', 'access-control-request-headers': 'cache-control,pragma' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toBe('cache-control,pragma');
    expect(String(res.headers['access-control-allow-methods'])).toContain('GET');
  });

  it('keeps CORS to the Browser documents: the API does not get it', async () => {
    const res = await api.call('GET', '/v1/experiments', undefined, { origin: 'http://127.0.0.1:7474' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('GET /browser/style.grass', () => {
  it('serves the style sheet as text, with a caption and colour for every label', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/browser/style.grass' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toBe(readFileSync(join(REPO_ROOT, 'graph', 'browser', 'style.grass'), 'utf8'));
    for (const label of ['Project', 'Dataset', 'Model', 'Hyperparameter', 'Experiment', 'Trial', 'Config', 'SettingsChange']) {
      expect(res.body, label).toMatch(new RegExp(`node\\.${label} \\{[^}]*color: #[0-9A-F]{6};[^}]*caption: "\\{name\\}";`));
    }
    expect(res.body).toMatch(/relationship\.SUGGESTED_FROM \{[^}]*caption: "weight \{weight\}";/);
  });
});

describe('the similar-datasets query', () => {
  it("finds a project's own neighbours when other projects hold many nearer datasets", async () => {
    const graph = testGraph();
    try {
      const stamp = Date.now();
      const mine = await ensureProject(graph, `similar-datasets-${stamp}`);
      const other = await ensureProject(graph, `similar-datasets-other-${stamp}`);
      const at = (v: number) => Array.from({ length: 64 }, (_, i) => (i === 0 ? v : 0.5));
      const dataset = (name: string, embedding: number[]) => ({ name, version: '1', taskType: 'classification' as const, metaFeatures: { a: 1 }, embedding });
      await createDataset(graph, mine.id, dataset('older', at(0.1)));
      await createDataset(graph, mine.id, dataset('newest', at(0.9)));
      // 60 datasets in another project exactly where the newest one is: the whole answer of an index
      // query for 50 neighbours.
      for (let i = 0; i < 60; i++) await createDataset(graph, other.id, dataset(`twin-${i}`, at(0.9)));
      const q = loadQueries().find((x) => x.id === 'similar-datasets')!;
      const res = await graph.driver.executeQuery(q.cypher, { project: mine.name }, { database: graph.database });
      expect(res.records.map((r) => [r.get('dataset').properties.name, r.get('similar').properties.name])).toEqual([['newest', 'older']]);
    } finally {
      await graph.close();
    }
  });
});
