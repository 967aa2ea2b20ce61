import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scanCsv } from '../../src/metafeatures/csv-profile.ts';
import { profileCsv } from '../../src/metafeatures/index.ts';
import type { DatasetProfile } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, lcg } from './helpers.ts';

/** n rows: id, a gaussian-ish x, a skewed y = x² with ~5% missing, a 3-level category, a 3-class label correlated with x. */
function generate(n: number): { csv: string; classCounts: Map<string, number>; missingY: number } {
  const rnd = lcg(123);
  const lines = ['id,x,y,cat,label'];
  const classCounts = new Map<string, number>();
  let missingY = 0;
  for (let i = 0; i < n; i++) {
    const x = rnd() + rnd() + rnd() - 1.5;
    const miss = rnd() < 0.05;
    if (miss) missingY++;
    const label = x < -0.3 ? 'lo' : x < 0.3 ? 'mid' : 'hi';
    classCounts.set(label, (classCounts.get(label) ?? 0) + 1);
    lines.push(`${i},${x.toFixed(6)},${miss ? 'NA' : (x * x).toFixed(6)},${['p', 'q', 'r'][i % 3]},${label}`);
  }
  return { csv: `${lines.join('\n')}\n`, classCounts, missingY };
}

const N = 20_000;
const { csv, classCounts, missingY } = generate(N);

/** Everything computed exactly over the whole stream, which must not depend on sampling. */
function exactPart(p: DatasetProfile) {
  const mf = p.metaFeatures;
  const sampleBased = /^(pca_|landmark_)/;
  return {
    rows: p.rows,
    columns: p.columns,
    classes: p.classes,
    metaFeatures: Object.fromEntries(Object.entries(mf).filter(([k]) => !sampleBased.test(k))),
  };
}

describe('reservoir sampling', () => {
  it('counts stay exact when sampling; the sample is bounded; notes say so', async () => {
    const sampled = await profileCsv(chunks(csv, 65_536), { sampleRows: 1000, seed: 7 });
    const full = await profileCsv(chunks(csv), { sampleRows: N, seed: 7 });
    assertWellFormed(sampled);
    expect(sampled.sampled).toBe(true);
    expect(sampled.sampleRows).toBe(1000);
    expect(full.sampled).toBe(false);
    expect(full.sampleRows).toBe(N);
    expect(sampled.rows).toBe(N);
    expect(sampled.classes).toEqual(
      [...classCounts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)),
    );
    expect(sampled.columns.find((c) => c.name === 'y')!.missing).toBe(missingY);
    expect(exactPart(sampled)).toEqual(exactPart(full));
    expect(sampled.notes).toContain(
      'profiled a uniform reservoir sample of 1,000 of 20,000 rows (seed 7) for PCA and landmarkers; ' +
        'counts, missing values, class counts, min/max and moments are exact over all rows',
    );
    expect(full.notes.some((n) => n.startsWith('profiled a uniform reservoir sample'))).toBe(false);
    // sample-based values from a 1,000-row sample are close to the full-data ones
    for (const k of ['landmark_decision_stump', 'landmark_naive_bayes']) {
      expect(Math.abs(sampled.metaFeatures[k]! - full.metaFeatures[k]!), k).toBeLessThan(0.05);
    }
    expect(sampled.metaFeatures.pca_number_of_components_for_95_percent_variance).toBe(full.metaFeatures.pca_number_of_components_for_95_percent_variance);
  });

  it('same bytes + same seed ⇒ identical profile, regardless of chunking; another seed changes the sample', async () => {
    const a = await profileCsv(chunks(csv, 4096), { sampleRows: 500, seed: 11 });
    const b = await profileCsv(chunks(csv, 333), { sampleRows: 500, seed: 11 });
    const c = await profileCsv(chunks(csv), { sampleRows: 500, seed: 12 });
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(exactPart(c)).toEqual(exactPart(a));
    expect(c.metaFeatures.pca_kurtosis_first_pc).not.toBe(a.metaFeatures.pca_kurtosis_first_pc);
  });

  it('the reservoir is a uniform sample without replacement', async () => {
    const n = 400;
    const k = 40;
    const small = `id,label\n${Array.from({ length: n }, (_, i) => `${i},${i % 2}`).join('\n')}\n`;
    const inclusion = new Float64Array(n);
    const runs = 300;
    for (let seed = 0; seed < runs; seed++) {
      const scan = await scanCsv(chunks(small), { sampleRows: k, seed, delimiter: ',', raggedTolerance: 0 });
      const ids = scan.sample.map((r) => Number((JSON.parse(r) as string[])[0]));
      expect(new Set(ids).size).toBe(k);
      for (const id of ids) inclusion[id]!++;
    }
    // Each row's inclusion probability is k/n = 0.1: over 300 runs the first and last
    // quarters of the file get the same expected share (3000 inclusions each, sd ≈ 52).
    const quarter = (q: number) => inclusion.slice(q * 100, q * 100 + 100).reduce((s, v) => s + v, 0);
    const expected = (runs * k) / 4;
    for (const q of [0, 1, 2, 3]) expect(Math.abs(quarter(q) - expected)).toBeLessThan(250);
  });

  it('wide files get a smaller sample so sampled cells stay bounded', async () => {
    const cols = 2000;
    const header = Array.from({ length: cols }, (_, j) => `c${j}`).join(',');
    const row = (i: number) => Array.from({ length: cols }, (_, j) => (j === cols - 1 ? i % 2 : (i * j) % 7)).join(',');
    const text = `${header}\n${Array.from({ length: 30 }, (_, i) => row(i)).join('\n')}\n`;
    const p = await profileCsv([text], { sampleRows: 10_000 });
    expect(p.rows).toBe(30);
    expect(p.notes.some((n) => n.includes('PCA used a seeded subset of 256 of'))).toBe(true);
    assertWellFormed(p);
  });
});

describe('fingerprint', () => {
  const text = 'a,b,label\n1,2,x\n3,4,y\n';

  it('is the sha256 of exactly the input bytes, however chunked', async () => {
    const expected = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const p1 = await profileCsv(chunks(text));
    const p2 = await profileCsv(chunks(text, 1));
    expect(p1.fingerprint).toBe(expected);
    expect(p2.fingerprint).toBe(expected);
    expect(p1.bytes).toBe(Buffer.byteLength(text));
  });

  it('one byte different ⇒ different fingerprint', async () => {
    const p1 = await profileCsv([text]);
    const p2 = await profileCsv([text.replace('4', '5')]);
    const p3 = await profileCsv([`${text}\n`]); // trailing blank line: same data, different bytes
    expect(p2.fingerprint).not.toBe(p1.fingerprint);
    expect(p3.fingerprint).not.toBe(p1.fingerprint);
    expect(p3.metaFeatures).toEqual(p1.metaFeatures);
  });

  it('covers a BOM and CRLF bytes too', async () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const fps = new Set([(await profileCsv([text])).fingerprint, (await profileCsv([crlf])).fingerprint, (await profileCsv([withBom])).fingerprint]);
    expect(fps.size).toBe(3);
  });
});
