// Readiness (src/services/readiness.ts): ready only once a warm-up ran against the server the
// process talks to now; a step's error other than an outage does not keep the process unready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/driver.ts';
import { Readiness } from '../../src/services/readiness.ts';
import { testGraph } from '../support/graph.ts';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(() => graph.close());

describe('readiness', () => {
  it('warms up again when the connection was lost and found during a warm-up, and ignores a step that fails for another reason', async () => {
    let warmUps = 0;
    const readiness = new Readiness(graph, async (g) => {
      warmUps++;
      // The first warm-up meets a restart under idle connections.
      if (warmUps === 1) expect(await g.availability.failed()).toBe(true);
    });
    let steps = 0;
    readiness.also(async () => {
      steps++;
      throw new Error('not an outage');
    });
    await readiness.warm();
    expect(warmUps).toBe(2);
    expect(steps).toBe(2);
    expect(readiness.ready).toBe(true);
  });
});
