import { sampleSkewness } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { META_FEATURE_DOCS, profileCsv, profileCsvFile } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, fixture, fixturePath, popMoments } from './helpers.ts';

// basic.csv:
//   x1,x2,color,label
//   1,10,red,a
//   2,NA,blue,a
//   3,30,red,b
//   4,40,?,a
//   10,50,green,b
describe('basic.csv: simple, class and statistical meta-features by hand', async () => {
  const p = await profileCsv(chunks(fixture('basic.csv')));
  const mf = p.metaFeatures;

  it('is well formed and documents every key', () => {
    assertWellFormed(p);
    for (const k of Object.keys(mf)) expect(META_FEATURE_DOCS[k], k).toBeTypeOf('string');
  });

  it('profiles columns and target', () => {
    expect(p.rows).toBe(5);
    expect(p.target).toBe('label');
    expect(p.taskType).toBe('classification');
    expect(p.sampled).toBe(false);
    expect(p.sampleRows).toBe(5);
    expect(p.columns.map((c) => [c.name, c.kind, c.missing, c.distinct])).toEqual([
      ['x1', 'numeric', 0, 5],
      ['x2', 'numeric', 1, 4],
      ['color', 'categorical', 1, 3],
      ['label', 'categorical', 0, 2],
    ]);
    expect(p.columns[0]).toMatchObject({ min: 1, max: 10, mean: 4 });
    // population std of x1: sqrt(((1-4)² + (2-4)² + (3-4)² + 0 + (10-4)²) / 5) = sqrt(50 / 5)
    expect(p.columns[0]!.std).toBeCloseTo(Math.sqrt(10), 12);
    expect(p.classes).toEqual([
      { label: 'a', count: 3 },
      { label: 'b', count: 2 },
    ]);
  });

  it('simple meta-features', () => {
    const N = 5;
    const P = 3;
    expect(mf.number_of_instances).toBe(N);
    expect(mf.log_number_of_instances).toBeCloseTo(Math.log(5), 12);
    expect(mf.number_of_features).toBe(P);
    expect(mf.log_number_of_features).toBeCloseTo(Math.log(3), 12);
    expect(mf.number_of_numeric_features).toBe(2);
    expect(mf.number_of_categorical_features).toBe(1);
    expect(mf.number_of_binary_features).toBe(0);
    expect(mf.ratio_numerical_to_nominal).toBe(2 / 1);
    expect(mf.ratio_nominal_to_numerical).toBe(1 / 2);
    expect(mf.dimensionality).toBeCloseTo(3 / 5, 12);
    expect(mf.log_dimensionality).toBeCloseTo(Math.log(3 / 5), 12);
    expect(mf.inverse_dataset_ratio).toBeCloseTo(5 / 3, 12);
    expect(mf.log_inverse_dataset_ratio).toBeCloseTo(Math.log(5 / 3), 12);
    // 'NA' in x2 (row 2) and '?' in color (row 4)
    expect(mf.number_of_missing_values).toBe(2);
    expect(mf.missing_values_ratio).toBeCloseTo(2 / (5 * 3), 12);
    expect(mf.number_of_instances_with_missing_values).toBe(2);
    expect(mf.instances_with_missing_ratio).toBeCloseTo(2 / 5, 12);
    expect(mf.number_of_features_with_missing_values).toBe(2);
    expect(mf.features_with_missing_ratio).toBeCloseTo(2 / 3, 12);
    expect(mf.number_of_classes).toBe(2);
  });

  it('class meta-features', () => {
    const pa = 3 / 5;
    const pb = 2 / 5;
    const H = -(pa * Math.log2(pa) + pb * Math.log2(pb));
    expect(mf.class_entropy).toBeCloseTo(H, 12);
    expect(mf.class_probability_min).toBeCloseTo(0.4, 12);
    expect(mf.class_probability_max).toBeCloseTo(0.6, 12);
    expect(mf.class_probability_mean).toBeCloseTo(0.5, 12);
    // population std of [0.6, 0.4] = sqrt(((0.1)² + (0.1)²) / 2)
    expect(mf.class_probability_std).toBeCloseTo(0.1, 12);
    expect(mf.majority_class_ratio).toBeCloseTo(0.6, 12);
    expect(mf.minority_class_ratio).toBeCloseTo(0.4, 12);
    expect(mf.class_imbalance).toBeCloseTo(1 - H / Math.log2(2), 12);
    expect(mf.class_imbalance_ratio).toBeCloseTo(3 / 2, 12);
  });

  it('skewness and kurtosis (population g1, excess g2) over numeric features', () => {
    // x1 = [1,2,3,4,10], mean 4, deviations [-3,-2,-1,0,6]
    const m2x1 = (9 + 4 + 1 + 0 + 36) / 5; // 10
    const m3x1 = (-27 - 8 - 1 + 0 + 216) / 5; // 36
    const m4x1 = (81 + 16 + 1 + 0 + 1296) / 5; // 278.8
    const skewX1 = m3x1 / m2x1 ** 1.5;
    const kurtX1 = m4x1 / m2x1 ** 2 - 3;
    // x2 = [10,30,40,50] (NA skipped), mean 32.5, deviations [-22.5,-2.5,7.5,17.5]
    const d = [-22.5, -2.5, 7.5, 17.5];
    const m2x2 = d.reduce((s, v) => s + v * v, 0) / 4;
    const m3x2 = d.reduce((s, v) => s + v * v * v, 0) / 4;
    const m4x2 = d.reduce((s, v) => s + v ** 4, 0) / 4;
    const skewX2 = m3x2 / m2x2 ** 1.5;
    const kurtX2 = m4x2 / m2x2 ** 2 - 3;
    // Cross-check the hand arithmetic against simple-statistics' biased skewness.
    expect(skewX1).toBeCloseTo(sampleSkewness([1, 2, 3, 4, 10], true), 12);
    expect(skewX2).toBeCloseTo(sampleSkewness([10, 30, 40, 50], true), 12);
    expect(kurtX1).toBeCloseTo(278.8 / 100 - 3, 12);

    expect(mf.skewness_min).toBeCloseTo(Math.min(skewX1, skewX2), 10);
    expect(mf.skewness_max).toBeCloseTo(Math.max(skewX1, skewX2), 10);
    expect(mf.skewness_mean).toBeCloseTo((skewX1 + skewX2) / 2, 10);
    expect(mf.skewness_std).toBeCloseTo(Math.abs(skewX1 - skewX2) / 2, 10);
    expect(mf.kurtosis_min).toBeCloseTo(Math.min(kurtX1, kurtX2), 10);
    expect(mf.kurtosis_max).toBeCloseTo(Math.max(kurtX1, kurtX2), 10);
    expect(mf.kurtosis_mean).toBeCloseTo((kurtX1 + kurtX2) / 2, 10);
    expect(mf.kurtosis_std).toBeCloseTo(Math.abs(kurtX1 - kurtX2) / 2, 10);

    const sd1 = Math.sqrt(m2x1);
    const sd2 = Math.sqrt(m2x2);
    expect(mf.std_dev_mean).toBeCloseTo((sd1 + sd2) / 2, 10);
    expect(mf.std_dev_std).toBeCloseTo(Math.abs(sd1 - sd2) / 2, 10);
  });

  it('categorical cardinality', () => {
    // color: red, blue, green ('?' is missing)
    expect(mf.symbols_min).toBe(3);
    expect(mf.symbols_max).toBe(3);
    expect(mf.symbols_mean).toBe(3);
    expect(mf.symbols_std).toBe(0);
    expect(mf.symbols_sum).toBe(3);
  });

  it('profileCsvFile gives the same profile as the stream API', async () => {
    expect(await profileCsvFile(fixturePath('basic.csv'))).toEqual(p);
  });

  it('helper popMoments agrees with the hand arithmetic', () => {
    expect(popMoments([1, 2, 3, 4, 10]).skew).toBeCloseTo(36 / 10 ** 1.5, 12);
  });
});

describe('ratio conventions', () => {
  it('ratio_numerical_to_nominal is 0 without categorical features, and vice versa', async () => {
    const allNumeric = await profileCsv(['a,b,y\n1,2,0\n2,3,1\n3,5,0\n']);
    expect(allNumeric.metaFeatures.ratio_numerical_to_nominal).toBe(0);
    expect(allNumeric.metaFeatures.ratio_nominal_to_numerical).toBe(0);
    const allCategorical = await profileCsv(['a,b,y\nu,v,0\nw,v,1\n']);
    expect(allCategorical.metaFeatures.ratio_numerical_to_nominal).toBe(0);
    expect(allCategorical.metaFeatures.ratio_nominal_to_numerical).toBe(0);
    expect(allCategorical.metaFeatures.number_of_binary_features).toBe(1);
  });

  it('class entropy of [a, a, b] is −(2/3 log2 2/3 + 1/3 log2 1/3)', async () => {
    const p = await profileCsv(['f,y\n1,a\n2,a\n3,b\n']);
    expect(p.metaFeatures.class_entropy).toBeCloseTo(-((2 / 3) * Math.log2(2 / 3) + (1 / 3) * Math.log2(1 / 3)), 12);
  });
});
