import { describe, expect, it } from 'vitest';
import { Encoder } from '../../optimizers/encoding.ts';
import { columnLengthscales, lengthscalesByParameter, MAX_RECORDED_COLUMNS, recordedLengthscales } from '../../optimizers/models/lengthscale-summary.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { suggest } from '../../optimizers/suggest.ts';
import { ModelCache } from '../../optimizers/cache.ts';

const space: SearchSpace = [
  { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly', 'linear', 'sigmoid'] },
  { name: 'depth', type: 'int', low: 1, high: 10, log: false },
];
const encoder = new Encoder(space);

describe('lengthscales summarised per parameter', () => {
  it('gives a numeric parameter its own figure and a categorical the geometric mean of its choices', () => {
    const byParameter = lengthscalesByParameter(encoder, [0.3, 1, 4, 0.5, 2, 0.7]);
    expect(byParameter.map((p) => p.parameter)).toEqual(['lr', 'kernel', 'depth']);
    expect(byParameter[0]!.lengthscale).toBe(0.3);
    expect(byParameter[1]!.lengthscale).toBeCloseTo((1 * 4 * 0.5 * 2) ** (1 / 4), 12);
    expect(byParameter[2]!.lengthscale).toBe(0.7);
  });

  it('expands back to one figure per column, and refuses a summary of another space', () => {
    const byParameter = lengthscalesByParameter(encoder, [0.3, 1, 4, 0.5, 2, 0.7]);
    const columns = columnLengthscales(encoder, byParameter)!;
    expect(columns).toHaveLength(encoder.dim);
    expect(columns[0]).toBe(0.3);
    expect(new Set(columns.slice(1, 5)).size).toBe(1);
    expect(columns[5]).toBe(0.7);
    expect(columnLengthscales(encoder, byParameter.slice(0, 2))).toBeNull();
    expect(columnLengthscales(encoder, [byParameter[0]!, { parameter: 'gamma', lengthscale: 1 }, byParameter[2]!])).toBeNull();
    expect(columnLengthscales(encoder, [byParameter[0]!, { parameter: 'kernel', lengthscale: Number.NaN }, byParameter[2]!])).toBeNull();
  });

  it('records per-column figures only up to the cap, and says so past it', () => {
    const narrow = recordedLengthscales(encoder, [0.3, 1, 4, 0.5, 2, 0.7]);
    expect(narrow.fields.lengthscales).toEqual([0.3, 1, 4, 0.5, 2, 0.7]);
    expect(narrow.note).toBeUndefined();
    const wideSpace: SearchSpace = [{ name: 'c', type: 'categorical', choices: Array.from({ length: MAX_RECORDED_COLUMNS + 1 }, (_, i) => i) }];
    const wide = recordedLengthscales(
      new Encoder(wideSpace),
      Array.from({ length: MAX_RECORDED_COLUMNS + 1 }, () => 2),
    );
    expect(wide.fields.lengthscales).toBeUndefined();
    expect(wide.fields.lengthscalesByParameter).toEqual([{ parameter: 'c', lengthscale: expect.closeTo(2, 12) }]);
    expect(wide.note).toContain(`${MAX_RECORDED_COLUMNS + 1} columns`);
  });
});

describe('a per-parameter summary handed in with the request', () => {
  const space2: SearchSpace = [
    { name: 'x', type: 'float', low: 0, high: 1, log: false },
    { name: 'y', type: 'float', low: 0, high: 1, log: false },
  ];
  const observations = Array.from({ length: 60 }, (_, i) => {
    const config = { x: ((i * 0.618) % 1) * 0.9 + 0.05, y: ((i * 0.382 + 0.3) % 1) * 0.9 + 0.05 };
    return { config, value: (config.x - 0.3) ** 2 + (config.y - 0.6) ** 2, state: 'completed' as const };
  });
  const base = { space: space2, direction: 'minimize' as const, observations, count: 1, seed: 4, settings: { strategy: 'gp' as const } };
  const fit = { signal: 1, noise: 0.01, n: 60 };

  it('starts the fit like the per-column figures it expands to', () => {
    const byParameter = suggest({
      ...base,
      targetHyperparameters: {
        ...fit,
        lengthscalesByParameter: [
          { parameter: 'x', lengthscale: 0.3 },
          { parameter: 'y', lengthscale: 0.5 },
        ],
      },
    });
    const perColumn = suggest({ ...base, targetHyperparameters: { ...fit, lengthscales: [0.3, 0.5] } });
    expect(byParameter).toEqual(perColumn);
  });

  it('of another space: starts nothing, as per-column figures of the wrong length do, whatever the caller keeps', () => {
    const cache = new ModelCache();
    suggest(base, { cache });
    const other = suggest({ ...base, targetHyperparameters: { ...fit, lengthscalesByParameter: [{ parameter: 'z', lengthscale: 0.3 }] } }, { cache });
    const wrongLength = suggest({ ...base, targetHyperparameters: { ...fit, lengthscales: [0.3] } }, { cache });
    expect(other).toEqual(wrongLength);
    // A fit from scratch, as without any earlier fit: the caller's memo never stands in for the request's.
    expect(other).toEqual(suggest(base));
    expect(other[0]!.provenance.notes.join(' ')).not.toContain('reused');
  });
});
