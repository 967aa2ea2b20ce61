/**
 * The synthetic task the service benchmarks tune: a small neural network's six hyperparameters
 * (two log-scaled floats, a float, two ints, a categorical), and seeded random configurations of it.
 */
import type { PriorExperiment, SearchSpace } from '../../optimizers/schema.ts';

export const MLP_SPACE: SearchSpace = [
  { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
  { name: 'wd', type: 'float', low: 1e-6, high: 1e-1, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.8, log: false },
  { name: 'layers', type: 'int', low: 1, high: 6, log: false },
  { name: 'units', type: 'int', low: 16, high: 1024, log: true },
  { name: 'act', type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
];

export type MlpConfig = { lr: number; wd: number; dropout: number; layers: number; units: number; act: string };

/** Numbers in [0, 1) from a linear congruential generator: benchmark data only need to be repeatable. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A configuration drawn uniformly in each parameter's own scale. */
export function randomMlpConfig(r: () => number): MlpConfig {
  return {
    lr: 10 ** (r() * 5 - 5),
    wd: 10 ** (r() * 5 - 6),
    dropout: r() * 0.8,
    layers: 1 + Math.floor(r() * 6),
    units: Math.round(2 ** (4 + r() * 6)),
    act: ['relu', 'tanh', 'gelu'][Math.floor(r() * 3)]!,
  };
}

/** The loss to minimise: best near lr = 10^-(2.5 + shift), dropout 0.3, three layers and gelu. */
export function mlpObjective(c: MlpConfig, shift: number): number {
  return (Math.log10(c.lr) + 2.5 + shift) ** 2 + (c.dropout - 0.3) ** 2 + 0.1 * Math.abs(c.layers - 3) + (c.act === 'gelu' ? 0 : 0.2);
}

/**
 * The optimizer benchmarks' prior experiments: `count` of them with `trials` random results each,
 * their optima spread over ten shifts; meta-features {a: shift, b: 2·shift}.
 */
export function mlpPriors(r: () => number, count = 50, trials = 100): PriorExperiment[] {
  return Array.from({ length: count }, (_, i) => {
    const shift = (i % 10) / 10;
    return {
      id: `prior-${i}`,
      direction: 'minimize',
      space: MLP_SPACE,
      metaFeatures: { a: shift, b: shift * 2 },
      observations: Array.from({ length: trials }, (_, n) => {
        const config = randomMlpConfig(r);
        return { id: `prior-${i}-${n}`, config, value: mlpObjective(config, shift), state: 'completed' as const };
      }),
    };
  });
}
