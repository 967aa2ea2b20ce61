// A streamed import validates every line before the first write and holds a chunk of lines, not the
// file: a bad last line rejects it all with nothing written, a good file is written whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { projectFootprint } from '../../graph/repositories/projects.ts';
import { importStream } from '../../src/services/transfer.ts';
import { testApi, type TestApi } from '../support/api.ts';
import { testGraph } from '../support/graph.ts';

let api: TestApi;
let graph: Graph;
beforeAll(async () => {
  api = await testApi();
  graph = testGraph();
});
afterAll(async () => {
  await api.close();
  await graph.close();
});

const line = (i: number) =>
  JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name: `stream-${i % 7}`, metaFeatures: { a: i % 7 } },
    experiment: {
      name: `stream ${i}`,
      model: { name: 'stream' },
      seed: i,
      objective: { metric: 'loss', direction: 'minimize' },
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    },
    trials: [{ number: 0, state: 'completed', config: { x: (i % 100) / 100 }, value: i }],
  });

/** The lines as small, unevenly cut chunks, as a socket delivers them. */
async function* body(lines: string[]) {
  const text = `${lines.join('\n')}\n`;
  for (let at = 0; at < text.length; at += 1_000 + (at % 777)) yield Buffer.from(text.slice(at, at + 1_000 + (at % 777)));
}

describe('a streamed import', () => {
  it('validates every line before writing any: a bad last line rejects 250 good ones, nothing written', async () => {
    const before = await projectFootprint(graph, api.projectId);
    const lines = [...Array.from({ length: 250 }, (_, i) => line(i)), '{"format":"precedent.experiment/1","dataset":{}}'];
    const err = (await importStream(graph, api.projectId, body(lines)).then(
      () => ({ issues: [] }),
      (e: unknown) => e,
    )) as { issues: { field: string }[] };
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues.every((i) => i.field.startsWith('line 251: '))).toBe(true);
    expect(await projectFootprint(graph, api.projectId)).toEqual(before);
  });

  it('writes every line of a good file in chunks, and again creates nothing', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => line(i));
    const first = await importStream(graph, api.projectId, body(lines));
    expect(first.experiments.map((e) => e.status)).toEqual(Array(250).fill('created'));
    expect(first.experiments.map((e) => e.line)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(first.trials).toBe(250);
    const again = await importStream(graph, api.projectId, body(lines));
    expect(again.experiments.every((e) => e.status === 'exists')).toBe(true);
    expect(again.trials).toBe(0);
  });

  it('refuses a body over the limit with a 413 that says what to do', async () => {
    await expect(importStream(graph, api.projectId, body([line(1), line(2)]), { maxBytes: 500 })).rejects.toMatchObject({
      statusCode: 413,
      message: expect.stringContaining('split it into several files'),
    });
  });
});
