import type { Graph } from '../../graph/driver.ts';
import { datasetsVersion, metaFeatureRanges } from '../../graph/repositories/similar.ts';
import { Lru } from '../../optimizers/cache.ts';

type Ranges = Map<string, { lo: number; hi: number }>;

/** Sets of visible projects whose ranges are kept. */
const MAX_KEPT = 1000;

/**
 * The meta-feature ranges (the scale of meta-feature distances) per set of visible projects, kept
 * while those projects' datasets are the same: each use reads which datasets they have
 * (datasetsVersion, one index read) and reads the ranges again when that moved, whichever process
 * added the dataset or whether a dump was restored. Reading the ranges is a pass over every dataset,
 * too slow per similarity search.
 */
export class MetaFeatureRanges {
  private readonly kept = new Lru<string, { version: string; ranges: Ranges }>(MAX_KEPT);

  constructor(private readonly graph: Graph) {}

  async of(projectIds: string[]): Promise<Ranges> {
    const key = projectIds.join('+');
    const version = await datasetsVersion(this.graph, projectIds);
    const hit = this.kept.get(key);
    if (hit?.version === version) return hit.ranges;
    const ranges = await metaFeatureRanges(this.graph, projectIds);
    this.kept.set(key, { version, ranges });
    return ranges;
  }
}
