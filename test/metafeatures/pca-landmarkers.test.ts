import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, fixture, popMoments } from './helpers.ts';

describe('PCA', () => {
  it('perfectly correlated columns need exactly one component', async () => {
    // correlated.csv: y = 2x + 1, x = [1,2,3,4,8]
    const p = await profileCsv(chunks(fixture('correlated.csv')));
    assertWellFormed(p);
    const mf = p.metaFeatures;
    expect(mf.pca_number_of_components_for_95_percent_variance).toBe(1);
    expect(mf.pca_fraction_of_components_for_95_percent_variance).toBe(1 / 2);
    // First PC scores are (z_x + z_y)/√2 = √2·z_x: a positive rescaling of x, so they share
    // x's skewness/kurtosis. x deviations from mean 3.6: [-2.6,-1.6,-0.6,0.4,4.4].
    const d = [-2.6, -1.6, -0.6, 0.4, 4.4];
    const m2 = d.reduce((s, v) => s + v ** 2, 0) / 5;
    const m3 = d.reduce((s, v) => s + v ** 3, 0) / 5;
    const m4 = d.reduce((s, v) => s + v ** 4, 0) / 5;
    expect(mf.pca_skewness_first_pc).toBeCloseTo(m3 / m2 ** 1.5, 8);
    expect(mf.pca_kurtosis_first_pc).toBeCloseTo(m4 / m2 ** 2 - 3, 8);
    expect(popMoments([1, 2, 3, 4, 8]).skew).toBeCloseTo(m3 / m2 ** 1.5, 12);
  });

  it('two uncorrelated equal-variance columns need both components', async () => {
    // x·y sums to 0 and both have variance 1: correlation matrix = I, eigenvalues [1, 1].
    const p = await profileCsv(['x,y,label\n1,1,a\n-1,1,b\n1,-1,b\n-1,-1,a\n']);
    expect(p.metaFeatures.pca_number_of_components_for_95_percent_variance).toBe(2);
    expect(p.metaFeatures.pca_fraction_of_components_for_95_percent_variance).toBe(1);
  });

  it('drops constant columns and imputes missing cells with the mean', async () => {
    // c is constant (dropped); y = 2x + 1 except a missing cell, which becomes y's mean.
    const p = await profileCsv(['x,y,c,label\n1,3,7,a\n2,5,7,b\n3,NA,7,a\n4,9,7,b\n5,11,7,a\n']);
    assertWellFormed(p);
    expect(p.metaFeatures.pca_number_of_components_for_95_percent_variance).toBe(1);
    expect(p.metaFeatures.pca_fraction_of_components_for_95_percent_variance).toBe(1 / 2);
  });
});

describe('landmarkers', () => {
  it('perfectly separable classes: every landmarker is 100% accurate', async () => {
    const rows = [1, 2, 3, 4, 5].map((x) => `${x},a`).concat([11, 12, 13, 14, 15].map((x) => `${x},b`));
    const p = await profileCsv([`x,label\n${rows.join('\n')}\n`]);
    expect(p.metaFeatures.landmark_1nn).toBe(1);
    expect(p.metaFeatures.landmark_decision_stump).toBe(1);
    expect(p.metaFeatures.landmark_naive_bayes).toBe(1);
    expect(p.notes).toContain('landmarkers: 5-fold stratified CV on 10 labelled sample rows');
  });

  it('uninformative feature: stump and naive Bayes fall back to the training majority', async () => {
    // 6 a + 4 b, one constant feature. Stratified 5-fold: a's take folds 0,1,2,3,4,0 and b's
    // continue with 1,2,3,4. Fold 0 tests 2 a's against a 4a/4b training set (tie → 'a', the
    // more frequent class overall, index 0): 2 correct. Folds 1–4 each test 1 a + 1 b with a
    // 5a/3b training majority 'a': 1 correct each. (2 + 4) / 10.
    const rows = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'].map((y) => `7,${y}`);
    const p = await profileCsv([`x,label\n${rows.join('\n')}\n`]);
    expect(p.metaFeatures.landmark_decision_stump).toBeCloseTo(6 / 10, 12);
    expect(p.metaFeatures.landmark_naive_bayes).toBeCloseTo(6 / 10, 12);
    expect(p.metaFeatures.landmark_1nn).toBeGreaterThanOrEqual(0);
    expect(p.metaFeatures.landmark_1nn).toBeLessThanOrEqual(1);
  });

  it('stump splits on a categorical feature (one-hot style)', async () => {
    const rows = ['u,a', 'u,a', 'u,a', 'v,b', 'v,b', 'v,b', 'w,b', 'w,b', 'w,b', 'w,b'];
    const p = await profileCsv([`c,label\n${rows.join('\n')}\n`]);
    // 'c == u' separates the classes; held-out rows always share their value with training rows.
    expect(p.metaFeatures.landmark_decision_stump).toBe(1);
    expect(p.metaFeatures.landmark_naive_bayes).toBe(1);
    expect(p.metaFeatures.landmark_1nn).toBe(1);
  });
});
