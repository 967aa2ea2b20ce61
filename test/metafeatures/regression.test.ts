import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, fixture } from './helpers.ts';

describe('regression target', () => {
  it('target skewness/kurtosis by hand; no class features or landmarkers', async () => {
    // price = [1.5,2.5,3.5,4.5,10.5], mean 4.5, deviations [-3,-2,-1,0,6]
    const p = await profileCsv(chunks(fixture('regression.csv')));
    assertWellFormed(p);
    expect(p.taskType).toBe('regression');
    expect(p.target).toBe('price');
    expect(p.classes).toBeUndefined();
    const mf = p.metaFeatures;
    const m2 = (9 + 4 + 1 + 0 + 36) / 5;
    const m3 = (-27 - 8 - 1 + 0 + 216) / 5;
    const m4 = (81 + 16 + 1 + 0 + 1296) / 5;
    expect(mf.target_skewness).toBeCloseTo(m3 / m2 ** 1.5, 10);
    expect(mf.target_kurtosis).toBeCloseTo(m4 / m2 ** 2 - 3, 10);
    expect(mf.number_of_classes).toBe(0);
    for (const k of Object.keys(mf)) expect(k).not.toMatch(/^(class_|landmark_|majority|minority)/);
    expect(p.notes).toContain('landmarkers skipped: regression target');
    expect(p.notes.some((n) => n.includes('auto → regression'))).toBe(true);
  });

  it('explicit target and task type', async () => {
    const p = await profileCsv(chunks(fixture('regression.csv')), { target: 'f1', taskType: 'regression' });
    expect(p.target).toBe('f1');
    expect(p.taskType).toBe('regression');
    expect(p.metaFeatures.number_of_features).toBe(2);
    expect(p.metaFeatures.target_skewness).toBeCloseTo(0, 12);
  });
});

describe('auto task type', () => {
  const csvWithTarget = (values: readonly (string | number)[]): string => `f,y\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`;

  it('≤ 20 distinct integers ⇒ classification; "1" and "1.0" are one class', async () => {
    const p = await profileCsv([csvWithTarget([0, 1, '1.0', 0, 2])]);
    expect(p.taskType).toBe('classification');
    expect(p.classes).toEqual([
      { label: '0', count: 2 },
      { label: '1', count: 2 },
      { label: '2', count: 1 },
    ]);
  });

  it('21 distinct integers ⇒ regression', async () => {
    const p = await profileCsv([csvWithTarget(Array.from({ length: 21 }, (_, i) => i))]);
    expect(p.taskType).toBe('regression');
  });

  it('non-integer numbers ⇒ regression; strings ⇒ classification', async () => {
    expect((await profileCsv([csvWithTarget([0.5, 1, 0.5])])).taskType).toBe('regression');
    expect((await profileCsv([csvWithTarget(['x', 'y', 'x'])])).taskType).toBe('classification');
  });

  it('classification can be forced on a numeric target', async () => {
    const p = await profileCsv([csvWithTarget([0.5, 1, 0.5])], { taskType: 'classification' });
    expect(p.taskType).toBe('classification');
    expect(p.metaFeatures.number_of_classes).toBe(2);
  });

  it('rows with a missing target are kept in counts but not in class statistics', async () => {
    const p = await profileCsv([csvWithTarget(['x', 'NA', 'y', 'x'])]);
    expect(p.rows).toBe(4);
    expect(p.classes).toEqual([
      { label: 'x', count: 2 },
      { label: 'y', count: 1 },
    ]);
    // target missingness does not count as a missing feature value
    expect(p.metaFeatures.number_of_missing_values).toBe(0);
    expect(p.notes.some((n) => n.startsWith('1 row(s) have a missing target'))).toBe(true);
  });
});
