// The scale of meta-feature distances is kept per set of projects while their datasets are the
// same, and read again once a dataset was added, by this process or another (no call tells it).
import { describe, expect, it } from 'vitest';
import { DatasetInput } from '../../graph/model.ts';
import { createDataset } from '../../graph/repositories/datasets.ts';
import { ensureProject } from '../../graph/repositories/projects.ts';
import { MetaFeatureRanges } from '../../src/similarity/meta-feature-ranges.ts';
import { recordedTestGraph } from '../support/sent-statements.ts';

const recorded = recordedTestGraph();

const dataset = (name: string, rows: number) => ({ ...DatasetInput.parse({ name, metaFeatures: { rows } }), embedding: null });
/** Whether the ranges themselves (a pass over every dataset) were read since the last take. */
const rangesRead = () => [...recorded.statements.take()].some((q) => q.includes('min(v)'));

describe('meta-feature ranges', () => {
  it("are kept while the projects' datasets are the same, and read again after a dataset is added anywhere", async () => {
    const { graph, statements } = recorded;
    const { id: projectId } = await ensureProject(graph, `meta-feature-ranges-${Date.now()}`);
    const { id: otherId } = await ensureProject(graph, `meta-feature-ranges-other-${Date.now()}`);
    await createDataset(graph, projectId, dataset('a', 10));
    await createDataset(graph, otherId, dataset('b', 1000));
    const ranges = new MetaFeatureRanges(graph);
    statements.take();
    expect(await ranges.of([projectId])).toEqual(new Map([['rows', { lo: 10, hi: 10 }]]));
    expect(rangesRead()).toBe(true);
    expect(await ranges.of([projectId])).toEqual(new Map([['rows', { lo: 10, hi: 10 }]]));
    expect(rangesRead(), 'kept').toBe(false);
    expect(await ranges.of([projectId, otherId])).toEqual(new Map([['rows', { lo: 10, hi: 1000 }]]));
    // Added without a word to this object, as another process would.
    await createDataset(graph, projectId, dataset('c', 30));
    statements.take();
    expect(await ranges.of([projectId])).toEqual(new Map([['rows', { lo: 10, hi: 30 }]]));
    expect(rangesRead()).toBe(true);
    expect(await ranges.of([projectId, otherId])).toEqual(new Map([['rows', { lo: 10, hi: 1000 }]]));
    // The same dataset created again (same name and version) adds nothing.
    await createDataset(graph, projectId, dataset('c', 30));
    statements.take();
    await ranges.of([projectId]);
    expect(rangesRead(), 'kept').toBe(false);
  });
});
