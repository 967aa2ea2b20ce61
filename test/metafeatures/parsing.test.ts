import { describe, expect, it } from 'vitest';
import { profileCsv } from '../../src/metafeatures/index.ts';
import { MISSING_TOKENS } from '../../src/metafeatures/index.ts';
import { assertWellFormed, chunks, fixture } from './helpers.ts';

describe('CSV dialects', () => {
  it('quoted fields: delimiters, escaped quotes, embedded newlines, padding', async () => {
    const p = await profileCsv(chunks(fixture('quoted.csv')));
    assertWellFormed(p);
    expect(p.rows).toBe(4);
    expect(p.columns.map((c) => [c.name, c.kind, c.missing, c.distinct])).toEqual([
      ['name', 'categorical', 0, 4],
      // "" (quoted empty) is missing; ' padded ' is trimmed.
      ['comment', 'categorical', 1, 3],
      ['size', 'numeric', 0, 4],
      ['label', 'categorical', 0, 2],
    ]);
    expect(p.columns[2]).toMatchObject({ min: 1.5, max: 4.5, mean: 3 });
  });

  it('CRLF line endings give the same statistics as LF, at any chunking', async () => {
    const lf = 'a,b,label\n1,"x\ny",p\n2,z,q\n3,,p\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    const base = await profileCsv(chunks(lf));
    for (const size of [1, 2, 3, 7, Infinity]) {
      const p = await profileCsv(chunks(crlf, size));
      expect(p.rows).toBe(3);
      expect(p.columns.map((c) => [c.kind, c.missing, c.distinct])).toEqual(base.columns.map((c) => [c.kind, c.missing, c.distinct]));
      // Only the fingerprint and byte count may differ.
      expect(p.metaFeatures).toEqual(base.metaFeatures);
    }
  });

  it('a UTF-8 BOM does not leak into the first column name', async () => {
    const p = await profileCsv([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,label\n1,x\n2,y\n')])]);
    expect(p.columns[0]!.name).toBe('a');
  });

  it('missing tokens: empty, whitespace, NA, N/A, ?, nan, NaN', async () => {
    const cells = ['', '  ', 'NA', 'N/A', '?', 'nan', 'NaN', '1', '2'];
    const csv = `v,label\n${cells.map((c, i) => `${c},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
    const p = await profileCsv([csv]);
    expect(p.columns[0]).toMatchObject({ kind: 'numeric', missing: 7, distinct: 2, min: 1, max: 2 });
    expect(MISSING_TOKENS.has('NA')).toBe(true);
  });

  it('a single non-numeric value makes a column categorical; hex and Infinity are not numbers', async () => {
    const p = await profileCsv(['a,b,c,label\n1,0x1F,1,x\n2,3,Infinity,y\nthree,4,2,x\n']);
    expect(p.columns.map((c) => c.kind)).toEqual(['categorical', 'categorical', 'categorical', 'categorical']);
  });

  it('custom delimiter', async () => {
    const p = await profileCsv(['a;b;label\n1;2,5;x\n2;3,5;y\n'], { delimiter: ';' });
    expect(p.columns.map((c) => [c.name, c.kind])).toEqual([
      ['a', 'numeric'],
      ['b', 'categorical'],
      ['label', 'categorical'],
    ]);
  });

  it('string chunks and Node readable streams are accepted', async () => {
    const { Readable } = await import('node:stream');
    const text = 'a,label\n1,x\n2,y\n';
    const fromStrings = await profileCsv(['a,la', 'bel\n1,x\n', '2,y\n']);
    const fromStream = await profileCsv(Readable.from([Buffer.from(text)]));
    expect(fromStrings).toEqual(fromStream);
  });

  it('a bare string is one chunk, not one chunk per character', async () => {
    expect(await profileCsv('a,label\n1,x\n2,y\n')).toEqual(await profileCsv(['a,label\n1,x\n2,y\n']));
  });

  it('empty and duplicate header names are renamed, pandas-style', async () => {
    const p = await profileCsv([',a,a,label\n0,1,2,x\n1,3,4,y\n']);
    expect(p.columns.map((c) => c.name)).toEqual(['column_1', 'a', 'a.1', 'label']);
    expect(p.notes.some((n) => n.startsWith('renamed 2 header name(s)'))).toBe(true);
  });

  it('blank and whitespace-only lines are skipped', async () => {
    const p = await profileCsv(['  \na,label\n\n1,x\n   \n2,y\n\n']);
    expect(p.rows).toBe(2);
    expect(p.columns[0]!.name).toBe('a');
  });
});
