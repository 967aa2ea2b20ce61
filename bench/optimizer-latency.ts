// Latency of one suggest() call at the service's design point: 200 target observations in 10 dimensions
// plus 20 prior experiments × 100 observations (transfer-BO with RGPE), and the same without priors.
// Run: npx tsx bench/optimizer-latency.ts [rounds]
// Each round adds one observation (as a live experiment would) and asks for one suggestion with the
// caller-held model cache; the first (cold-cache) call is reported separately.
import { Rng, suggest, ModelCache, type Observation, type PriorExperiment, type SearchSpace } from '../optimizers/index.ts';

const D = 10;
const space: SearchSpace = Array.from({ length: D }, (_, i) =>
  i % 3 === 0
    ? { name: `x${i}`, type: 'float' as const, low: 1e-4, high: 1, log: true }
    : i % 3 === 1
      ? { name: `x${i}`, type: 'int' as const, low: 1, high: 100, log: false }
      : { name: `x${i}`, type: 'float' as const, low: -5, high: 5, log: false },
);

function unit(p: SearchSpace[number], v: number): number {
  if (p.type === 'categorical') return 0;
  return p.log ? (Math.log(v) - Math.log(p.low)) / (Math.log(p.high) - Math.log(p.low)) : (v - p.low) / (p.high - p.low);
}

/** A smooth, shifted, anisotropic bowl with ripples; `shift` moves the optimum between tasks. */
function objective(config: Record<string, unknown>, shift: number): number {
  let s = 0;
  space.forEach((p, i) => {
    const u = unit(p, config[p.name] as number);
    const c = 0.3 + 0.4 * ((i * 0.37 + shift) % 1);
    s += (1 + i / 3) * (u - c) ** 2 + 0.05 * Math.sin(15 * u);
  });
  return s;
}

function randomConfig(rng: Rng): Record<string, number> {
  const c: Record<string, number> = {};
  for (const p of space) {
    if (p.type === 'categorical') continue;
    const u = rng.uniform();
    let v = p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
    if (p.type === 'int') v = Math.round(v);
    c[p.name] = v;
  }
  return c;
}

function observations(n: number, shift: number, seed: number): Observation[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const config = randomConfig(rng);
    return { id: `t${i}`, config, value: objective(config, shift), state: 'completed' as const };
  });
}

const priors: PriorExperiment[] = Array.from({ length: 20 }, (_, k) => ({
  id: `prior-${k}`,
  direction: 'minimize' as const,
  space,
  metaFeatures: null,
  observations: observations(100, 0.05 * k, 1000 + k),
}));

function stats(ms: number[]): { median: number; p95: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return { median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}

function scenario(name: string, withPriors: boolean, rounds: number): void {
  const cache = new ModelCache();
  const obs = observations(200, 0.5, 7);
  const extra = observations(rounds + 1, 0.5, 8);
  const call = () => suggest({ space, direction: 'minimize', observations: obs, count: 1, seed: 11, ...(withPriors ? { priors } : {}) }, { cache });
  let t = performance.now();
  const first = call();
  const cold = performance.now() - t;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    obs.push(extra[r]!);
    t = performance.now();
    call();
    times.push(performance.now() - t);
  }
  const s = stats(times);
  const strategy = first[0]!.provenance.strategy;
  console.log(
    `${name.padEnd(34)} strategy=${strategy.padEnd(11)} cold=${cold.toFixed(0).padStart(5)} ms  warm-cache median=${s.median.toFixed(1)} ms  p95=${s.p95.toFixed(1)} ms  (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, ${rounds} calls)`,
  );
}

const rounds = Number(process.argv[2] ?? 21);
console.log(`node ${process.version}, ${D} dims, 200 target observations, rounds=${rounds}`);
scenario('GP-BO (no priors)', false, rounds);
scenario('transfer-BO (20 priors x 100 obs)', true, rounds);
