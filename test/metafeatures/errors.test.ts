import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, profileCsv, profileCsvFile } from '../../src/metafeatures/index.ts';
import type { ProfileErrorCode, ProfileOptions } from '../../src/metafeatures/index.ts';

async function expectProfileError(
  input: Parameters<typeof profileCsv>[0],
  code: ProfileErrorCode,
  message: RegExp,
  opts?: ProfileOptions,
): Promise<ProfileError> {
  const err = await profileCsv(input, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileError);
  const pe = err as ProfileError;
  expect(pe.code).toBe(code);
  expect(pe.statusCode).toBe(400);
  expect(pe.message).toMatch(message);
  return pe;
}

describe('bad input → ProfileError', () => {
  it('empty input', async () => {
    await expectProfileError([], 'EMPTY_INPUT', /empty/);
    await expectProfileError([Buffer.alloc(0)], 'EMPTY_INPUT', /empty/);
    await expectProfileError(['\n\r\n\n'], 'EMPTY_INPUT', /no header row/);
  });

  it('no header (first row is numeric data)', async () => {
    await expectProfileError(['1,2,3\n4,5,6\n'], 'NO_HEADER', /header row is required.*1, 2, 3/);
  });

  it('header only', async () => {
    await expectProfileError(['a,b,label\n'], 'NO_DATA_ROWS', /no data rows/);
  });

  it('ragged rows beyond the tolerance', async () => {
    const e = await expectProfileError(['a,b,label\n1,2,x\n1,2\n3,4,y\n'], 'RAGGED_ROWS', /1 of 3 data records.*data record 2 has 2 field/);
    expect(e.message).toMatch(/tolerance 1\.00%/);
  });

  it('ragged rows within the tolerance are skipped with a note', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},${i % 2}`);
    rows[50] = '1,2,3';
    const p = await profileCsv([`a,label\n${rows.join('\n')}\n`]);
    expect(p.rows).toBe(199);
    expect(p.notes.some((n) => n.startsWith('skipped 1 ragged record(s) of 200; data record 51 has 3 field(s)'))).toBe(true);
    // and tolerance is configurable
    await expectProfileError([`a,label\n${rows.join('\n')}\n`], 'RAGGED_ROWS', /1 of 200/, { raggedTolerance: 0 });
  });

  it('many ragged rows fail fast, before the end of the stream', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<string> {
      yield 'a,b,label\n';
      for (;;) {
        produced++;
        yield '1,2\n'.repeat(100);
      }
    }
    await expectProfileError(endless(), 'RAGGED_ROWS', /field count/);
    expect(produced).toBeLessThan(100);
  });

  it('target column that does not exist', async () => {
    await expectProfileError(['a,b,label\n1,2,x\n'], 'UNKNOWN_TARGET', /"nope" is not in the header \("a", "b", "label"\)/, {
      target: 'nope',
    });
  });

  it('an unknown target aborts right after the header, without reading the rest', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<string> {
      yield 'a,b,label\n';
      for (;;) {
        produced++;
        yield '1,2,x\n'.repeat(100);
      }
    }
    await expectProfileError(endless(), 'UNKNOWN_TARGET', /"y" is not in the header/, { target: 'y' });
    // only what stream buffers (~16 KiB) pulled ahead of the parser
    expect(produced).toBeLessThan(200);
  });

  it('input larger than maxBytes (stream and file)', async () => {
    const csv = `a,label\n${'1,x\n'.repeat(1000)}`;
    await expectProfileError([csv], 'TOO_LARGE', /exceeds the limit of 100 bytes/, { maxBytes: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'mf-'));
    try {
      const file = join(dir, 'big.csv');
      writeFileSync(file, csv);
      await expect(profileCsvFile(file, { maxBytes: 100 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
      // exactly at the limit is fine
      await expect(profileCsvFile(file, { maxBytes: Buffer.byteLength(csv) })).resolves.toMatchObject({ rows: 1000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maxBytes stops reading an unbounded stream', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,label\n');
      for (;;) {
        produced++;
        yield Buffer.from('1,x\n'.repeat(256));
      }
    }
    await expectProfileError(endless(), 'TOO_LARGE', /exceeds/, { maxBytes: 10_000 });
    expect(produced).toBeLessThan(20);
  });

  it('malformed CSV (unclosed quote)', async () => {
    await expectProfileError(['a,label\n1,"x\n2,y\n'], 'MALFORMED_CSV', /malformed CSV: .*quote/i);
  });

  it('target problems', async () => {
    await expectProfileError(['a,label\n1,x\n2,y\n'], 'BAD_TARGET', /regression needs a numeric target/, { taskType: 'regression' });
    await expectProfileError(['a,label\n1,NA\n2,\n'], 'BAD_TARGET', /has no values/);
    const ids = Array.from({ length: 10_001 }, (_, i) => `${i},id${i}`).join('\n');
    await expectProfileError([`a,label\n${ids}\n`], 'BAD_TARGET', /more than 10,000 distinct values/);
  });

  it('no features / wrong delimiter', async () => {
    await expectProfileError(['label\nx\ny\n'], 'NO_FEATURES', /only one column/);
    await expectProfileError(['a;b;label\n1;2;x\n'], 'NO_FEATURES', /delimiter/);
  });

  it('invalid options', async () => {
    await expectProfileError(['a,label\n1,x\n'], 'BAD_OPTIONS', /sampleRows/, { sampleRows: 0 });
    await expectProfileError(['a,label\n1,x\n'], 'BAD_OPTIONS', /delimiter/, { delimiter: '"' });
    await expectProfileError(['a,label\n1,x\n'], 'BAD_OPTIONS', /taskType/, { taskType: 'clustering' as never });
  });
});
