import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, fixture, popMoments } from './helpers.ts';

describe('degenerate data never yields NaN/Infinity', () => {
  it('constant numeric, all-missing and constant categorical columns, single class', async () => {
    // degenerate.csv: const=5 everywhere, allna = '', NA, ?, nan; cat = u; y = k
    const p = await profileCsv(chunks(fixture('degenerate.csv')));
    assertWellFormed(p);
    const mf = p.metaFeatures;
    expect(p.columns.map((c) => [c.name, c.kind, c.missing, c.distinct])).toEqual([
      ['const', 'numeric', 0, 1],
      // all-missing counts as numeric (vacuously), like a pandas float column of NaN
      ['allna', 'numeric', 4, 0],
      ['cat', 'categorical', 0, 1],
      ['y', 'categorical', 0, 1],
    ]);
    expect(p.columns[1]!.min).toBeUndefined();
    expect(mf.number_of_missing_values).toBe(4);
    expect(mf.missing_values_ratio).toBeCloseTo(4 / 12, 12);
    expect(mf.instances_with_missing_ratio).toBe(1);
    expect(mf.number_of_classes).toBe(1);
    expect(mf.class_entropy).toBe(0);
    expect(mf.class_imbalance).toBe(0);
    expect(mf.class_imbalance_ratio).toBe(1);
    expect(mf.class_probability_std).toBe(0);
    for (const k of ['skewness_min', 'kurtosis_mean', 'pca_fraction_of_components_for_95_percent_variance', 'landmark_1nn']) {
      expect(mf[k], k).toBeUndefined();
    }
    expect(p.notes).toEqual(
      expect.arrayContaining([
        'skewness_* / kurtosis_* omitted: no numeric feature has two distinct values',
        'PCA skipped: no numeric feature varies in the sample',
        'single class: class_imbalance set to 0 by convention; landmarkers skipped',
      ]),
    );
  });

  it('a single data row', async () => {
    const p = await profileCsv(['a,b,label\n1,x,y\n']);
    assertWellFormed(p);
    expect(p.metaFeatures.number_of_instances).toBe(1);
    expect(p.metaFeatures.log_number_of_instances).toBe(0);
    expect(p.notes).toContain('PCA skipped: fewer than 2 sampled rows');
  });

  it('constant regression target', async () => {
    const p = await profileCsv(['a,t\n1,2.5\n2,2.5\n3,2.5\n']);
    assertWellFormed(p);
    expect(p.taskType).toBe('regression');
    expect(p.metaFeatures.target_skewness).toBeUndefined();
    expect(p.notes).toContain('target_skewness / target_kurtosis omitted: the target is constant');
  });

  it('huge and tiny magnitudes neither overflow nor underflow', async () => {
    const p = await profileCsv(['a,b,label\n1e300,1e-300,x\n-1e300,2e-300,y\n1e300,3e-300,x\n5,4e-300,y\n']);
    assertWellFormed(p);
    expect(p.notes.filter((n) => n.includes('omitted'))).toEqual([]);
    // Moments are scale-invariant: a ≈ 1e300·[1,-1,1,0] and b = 1e-300·[1,2,3,4].
    const a = popMoments([1, -1, 1, 0]);
    const b = popMoments([1, 2, 3, 4]);
    expect(a.skew).toBeCloseTo(-0.28125 / 0.6875 ** 1.5, 12);
    expect(p.metaFeatures.skewness_min).toBeCloseTo(a.skew, 10);
    expect(p.metaFeatures.skewness_max).toBeCloseTo(b.skew, 10);
    expect(p.metaFeatures.kurtosis_max).toBeCloseTo(Math.max(a.kurt, b.kurt), 10);
    expect(p.metaFeatures.pca_number_of_components_for_95_percent_variance).toBeGreaterThanOrEqual(1);
    expect(p.columns[0]!.mean! / 2.5e299).toBeCloseTo(1, 12);
    expect(p.columns[1]!.std! / 1e-300).toBeCloseTo(Math.sqrt(1.25), 10);
  });

  it('landmarkers with features that are all missing or constant', async () => {
    const p = await profileCsv(['a,b,label\nNA,3,x\nNA,3,y\nNA,3,x\nNA,3,y\n']);
    assertWellFormed(p);
    expect(p.metaFeatures.landmark_decision_stump).toBeGreaterThanOrEqual(0);
  });
});
