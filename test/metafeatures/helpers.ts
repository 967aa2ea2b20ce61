import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DatasetProfileSchema } from '../../src/metafeatures/index.ts';
import type { DatasetProfile } from '../../src/metafeatures/index.ts';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/csv/${name}`, import.meta.url));
}

export function fixture(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

/** The bytes split into fixed-size chunks, to exercise chunk boundaries inside fields and line breaks. */
export function chunks(data: string | Buffer, size = Infinity): Buffer[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (!Number.isFinite(size)) return [buf];
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** Population skewness g1 and excess kurtosis g2, written out for test readability. */
export function popMoments(xs: number[]): { skew: number; kurt: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const m2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  const m3 = xs.reduce((s, x) => s + (x - mean) ** 3, 0) / n;
  const m4 = xs.reduce((s, x) => s + (x - mean) ** 4, 0) / n;
  return { skew: m3 / m2 ** 1.5, kurt: m4 / m2 ** 2 - 3 };
}

/** Fails on any non-finite meta-feature or schema violation. */
export function assertWellFormed(p: DatasetProfile): void {
  DatasetProfileSchema.parse(p);
  for (const [k, v] of Object.entries(p.metaFeatures)) {
    if (!Number.isFinite(v)) throw new Error(`${k} = ${v}`);
  }
}

/** Small deterministic PRNG for generating test data (independent of the profiler's). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
