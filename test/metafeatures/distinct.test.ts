import { describe, expect, it } from 'vitest';
import { DistinctCounter } from '../../src/metafeatures/distinct.ts';
import { profileCsv } from '../../src/metafeatures/index.ts';

describe('distinct counts', () => {
  it('are exact below the sketch size, whatever the repetition', () => {
    const d = new DistinctCounter(1024);
    for (let rep = 0; rep < 3; rep++) for (let i = 0; i < 1000; i++) d.add(`v${i}`);
    expect(d.exact).toBe(true);
    expect(d.estimate()).toBe(1000);
  });

  it('are estimated within a few percent above it', () => {
    const d = new DistinctCounter(1024);
    const n = 200_000;
    for (let i = 0; i < n; i++) d.add(`id-${i * 7919}`);
    expect(d.exact).toBe(false);
    // standard error ≈ 1/sqrt(1022) ≈ 3%; 12% is a 4-sigma bound
    expect(Math.abs(d.estimate() / n - 1)).toBeLessThan(0.12);
  });

  it('are reported per column with their exactness', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i % 3},${i % 2}`);
    const p = await profileCsv([`id,small,label\n${rows.join('\n')}\n`]);
    const [id, small] = p.columns;
    expect(id!.distinctExact).toBe(false);
    expect(Math.abs(id!.distinct / 3000 - 1)).toBeLessThan(0.12);
    expect(small).toMatchObject({ distinct: 3, distinctExact: true });
    expect(p.metaFeatures.number_of_binary_features).toBe(0);
  });
});
