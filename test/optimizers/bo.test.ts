// GP-BO against random search on classic synthetic functions, small budgets, several seeds.
import { describe, expect, it } from 'vitest';
import { suggest, type Config, ModelCache, type Observation, type SearchSpace, type Strategy } from '../../optimizers/index.ts';

function run(space: SearchSpace, f: (c: Config) => number, budget: number, seed: number, strategy: Strategy): number {
  const obs: Observation[] = [];
  const cache = new ModelCache();
  let best = Infinity;
  for (let i = 0; i < budget; i++) {
    const [s] = suggest({ space, direction: 'minimize', observations: obs, count: 1, seed, settings: { strategy } }, { cache });
    const v = f(s!.config);
    best = Math.min(best, v);
    obs.push({ config: s!.config, value: v, state: 'completed' });
  }
  return best;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const meanLog = (v: number[]) => v.reduce((a, b) => a + Math.log10(Math.max(b, 1e-12)), 0) / v.length;

const braninSpace: SearchSpace = [
  { name: 'x1', type: 'float', low: -5, high: 10, log: false },
  { name: 'x2', type: 'float', low: 0, high: 15, log: false },
];
function branin(c: Config): number {
  const x1 = c.x1 as number;
  const x2 = c.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}
const BRANIN_MIN = 0.397887357729738;

const hartSpace: SearchSpace = Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, type: 'float' as const, low: 0, high: 1, log: false }));
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const ALPHA = [1, 1.2, 3, 3.2];
function hartmann6(c: Config): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += A[i]![j]! * ((c[`x${j}`] as number) - P[i]![j]!) ** 2;
    s -= ALPHA[i]! * Math.exp(-inner);
  }
  return s;
}
const HART_MIN = -3.32236801141551;

describe('GP-BO beats random search', () => {
  it('on Branin (25 evaluations, 5 seeds)', () => {
    const seeds = [1, 2, 3, 4, 5];
    const gp = seeds.map((s) => run(braninSpace, branin, 25, s, 'auto') - BRANIN_MIN);
    const rnd = seeds.map((s) => run(braninSpace, branin, 25, s, 'random') - BRANIN_MIN);
    console.log('Branin simple regret  gp:', gp.map((v) => v.toExponential(2)).join(' '), ' random:', rnd.map((v) => v.toExponential(2)).join(' '));
    expect(median(gp)).toBeLessThan(median(rnd));
    expect(meanLog(gp)).toBeLessThan(meanLog(rnd) - 1); // at least 10x smaller regret on a log-average
  });

  it('on Hartmann-6 (35 evaluations, 4 seeds)', () => {
    const seeds = [1, 2, 3, 4];
    const gp = seeds.map((s) => run(hartSpace, hartmann6, 35, s, 'auto') - HART_MIN);
    const rnd = seeds.map((s) => run(hartSpace, hartmann6, 35, s, 'random') - HART_MIN);
    console.log('Hartmann6 simple regret  gp:', gp.map((v) => v.toFixed(3)).join(' '), ' random:', rnd.map((v) => v.toFixed(3)).join(' '));
    expect(median(gp)).toBeLessThan(median(rnd));
    expect(gp.reduce((a, b) => a + b) / gp.length).toBeLessThan(0.6 * (rnd.reduce((a, b) => a + b) / rnd.length));
  });
});
