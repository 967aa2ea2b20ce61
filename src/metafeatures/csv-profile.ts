import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { normalizeCell, parseNumber } from './cells.ts';
import { DistinctCounter } from './distinct.ts';
import { ProfileError } from './errors.ts';
import { createRng, shuffleInPlace } from './rng.ts';
import { pow2Scale } from './stats.ts';

/** A Node readable, or any (async) iterable of chunks; arrays of chunks are handy in tests and for in-memory uploads. */
export type CsvInput = NodeJS.ReadableStream | AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

export interface ScanOptions {
  target?: string | undefined;
  sampleRows: number;
  seed: number;
  delimiter: string;
  maxBytes?: number | undefined;
  raggedTolerance: number;
}

/** Exact single-pass statistics of one column (streaming central moments, Pébay 2008). */
export interface ColumnScan {
  name: string;
  missing: number;
  /** Every non-missing cell parsed as a finite number (vacuously true when all are missing). */
  numeric: boolean;
  /** Every non-missing cell is an integer (meaningful only when `numeric`). */
  integer: boolean;
  /** Non-missing numeric count; the moment fields below are valid only when `numeric`. */
  count: number;
  min: number;
  max: number;
  /**
   * Moments are accumulated on x × scale (a power of two set from the column's first
   * non-zero value) so they neither overflow nor underflow: `mean` and the sums of
   * 2nd/3rd/4th powers of deviations are in scaled units. Skewness/kurtosis are
   * scale-invariant; divide mean by scale and std by scale for original units.
   */
  scale: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
  distinct: number;
  distinctExact: boolean;
}

export interface CsvScan {
  fingerprint: string;
  bytes: number;
  header: string[];
  targetIndex: number;
  rows: number;
  raggedRows: number;
  columns: ColumnScan[];
  /** Missing cells among feature columns (target excluded). */
  missingFeatureCells: number;
  /** Rows with at least one missing feature cell (target excluded). */
  rowsWithMissingFeature: number;
  /** Exact counts of raw (trimmed) target values, or null once more than MAX_TARGET_VALUES distinct values were seen. */
  targetCounts: Map<string, number> | null;
  /** Uniform sample of raw records (JSON-encoded string[]), already shuffled so any prefix is itself uniform. */
  sample: string[];
  sampleCapacity: number;
  notes: string[];
}

/** Beyond this many distinct target values a classification profile is meaningless, and the map must not grow with the file. */
export const MAX_TARGET_VALUES = 10_000;
/** Keeps per-column state (≈4 KiB each) and the sample bounded for pathological widths. */
export const MAX_COLUMNS = 20_000;
/** Caps sample memory for wide files: sampleRows × columns ≤ this. */
export const MAX_SAMPLE_CELLS = 10_000_000;
/** csv-parse buffers a whole field/record; without a cap a file with no line breaks would be held entirely. */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;
/** Below this many ragged records, the tolerance check waits for the end of the file (small files judged as a whole). */
const RAGGED_FAIL_FAST_MIN = 1000;

const fmt = (n: number): string => n.toLocaleString('en-US');

function checkHeader(raw: string[], notes: string[]): string[] {
  if (raw.length > 0 && raw.every((h) => h.trim() !== '' && !Number.isNaN(parseNumber(h.trim())))) {
    throw new ProfileError(
      'NO_HEADER',
      `a header row is required, but the first row looks like data (${raw.slice(0, 5).join(', ')}${raw.length > 5 ? ', …' : ''})`,
    );
  }
  const seen = new Set<string>();
  const names: string[] = [];
  const renamed: string[] = [];
  raw.forEach((h, j) => {
    const base = h.trim() === '' ? `column_${j + 1}` : h.trim();
    let name = base;
    // pandas-style de-duplication so every column stays addressable by name.
    for (let i = 1; seen.has(name); i++) name = `${base}.${i}`;
    if (name !== h) renamed.push(`${JSON.stringify(h)} → ${JSON.stringify(name)}`);
    seen.add(name);
    names.push(name);
  });
  if (renamed.length > 0) {
    notes.push(`renamed ${renamed.length} header name(s) (empty, padded or duplicate): ${renamed.slice(0, 10).join('; ')}`);
  }
  return names;
}

/**
 * One streaming pass over the CSV: sha256 of every byte, exact counts and moments
 * per column, exact target counts, and a seeded Algorithm-R reservoir of records.
 * Memory is O(columns + sampleRows × row size), independent of file length.
 */
export async function scanCsv(input: CsvInput, opts: ScanOptions): Promise<CsvScan> {
  const hash = createHash('sha256');
  const notes: string[] = [];
  let bytes = 0;
  const maxBytes = opts.maxBytes;

  async function* hashed(): AsyncGenerator<Buffer> {
    // A bare string type-checks as Iterable<string> but would be fed one character at a time.
    const source = typeof input === 'string' ? [input] : input;
    for await (const chunk of source as AsyncIterable<Buffer | string | Uint8Array>) {
      // Web streams yield plain Uint8Arrays; wrap without copying.
      const buf =
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      bytes += buf.length;
      if (maxBytes !== undefined && bytes > maxBytes) {
        throw new ProfileError('TOO_LARGE', `input exceeds the limit of ${fmt(maxBytes)} bytes`);
      }
      hash.update(buf);
      yield buf;
    }
  }

  const parser = parse({
    delimiter: opts.delimiter,
    bom: true,
    // Ragged records are counted and judged against the tolerance by us, not fatal in the parser.
    relax_column_count: true,
    // Stray quotes inside unquoted fields (5'10") are common in real exports.
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });

  let header: string[] | null = null;
  let ncol = 0;
  let t = -1;
  let rows = 0;
  let records = 0; // data records including ragged ones
  let ragged = 0;
  let firstRagged = '';
  let missingFeatureCells = 0;
  let rowsWithMissingFeature = 0;
  let targetCounts: Map<string, number> | null = new Map();

  // Struct-of-arrays: this loop runs once per cell of a possibly multi-GB file.
  let missing = new Float64Array(0);
  let numericOk = new Uint8Array(0);
  let integerOk = new Uint8Array(0);
  let cnt = new Float64Array(0);
  let mean = new Float64Array(0);
  let m2 = new Float64Array(0);
  let m3 = new Float64Array(0);
  let m4 = new Float64Array(0);
  let min = new Float64Array(0);
  let max = new Float64Array(0);
  let scale = new Float64Array(0);
  let distinct: DistinctCounter[] = [];

  let capacity = 0;
  const reservoir: string[] = [];
  const rng = createRng(opts.seed, 'reservoir');

  const raggedError = (): ProfileError =>
    new ProfileError(
      'RAGGED_ROWS',
      `${fmt(ragged)} of ${fmt(records)} data records have a field count different from the header's ${ncol} ` +
        `(tolerance ${(opts.raggedTolerance * 100).toFixed(2)}%); first: ${firstRagged}`,
    );

  const consume = async (source: AsyncIterable<string[]>): Promise<void> => {
    for await (const rec of source) {
      // csv-parse only skips truly empty lines; a line of spaces or a stray '\r' is a one-field
      // record, which is a blank line too, not a header or a ragged row.
      if (rec.length === 1 && rec[0]!.trim() === '' && ncol !== 1) continue;
      if (header === null) {
        header = checkHeader(rec, notes);
        ncol = header.length;
        if (ncol > MAX_COLUMNS) {
          throw new ProfileError('TOO_MANY_COLUMNS', `${fmt(ncol)} columns exceed the limit of ${fmt(MAX_COLUMNS)}`);
        }
        if (ncol === 1 && /[;\t|]/.test(header[0]!)) {
          throw new ProfileError(
            'NO_FEATURES',
            `the header parsed as a single column ${JSON.stringify(header[0])}; is the delimiter ${JSON.stringify(opts.delimiter)} right?`,
          );
        }
        if (opts.target === undefined) {
          t = ncol - 1;
        } else {
          t = header.indexOf(opts.target);
          if (t < 0) {
            const shown = header
              .slice(0, 20)
              .map((h) => JSON.stringify(h))
              .join(', ');
            throw new ProfileError('UNKNOWN_TARGET', `target column ${JSON.stringify(opts.target)} is not in the header (${shown}${ncol > 20 ? ', …' : ''})`);
          }
        }
        if (ncol < 2) {
          throw new ProfileError('NO_FEATURES', 'the CSV has only one column (the target): there are no features to profile');
        }
        missing = new Float64Array(ncol);
        numericOk = new Uint8Array(ncol).fill(1);
        integerOk = new Uint8Array(ncol).fill(1);
        cnt = new Float64Array(ncol);
        mean = new Float64Array(ncol);
        m2 = new Float64Array(ncol);
        m3 = new Float64Array(ncol);
        m4 = new Float64Array(ncol);
        min = new Float64Array(ncol).fill(Infinity);
        max = new Float64Array(ncol).fill(-Infinity);
        scale = new Float64Array(ncol); // 0 = not set yet (only zeros seen so far)
        distinct = Array.from({ length: ncol }, () => new DistinctCounter());
        capacity = Math.max(1, Math.min(opts.sampleRows, Math.floor(MAX_SAMPLE_CELLS / ncol)));
        if (capacity < opts.sampleRows) {
          notes.push(`sample capped at ${fmt(capacity)} rows to keep ${fmt(ncol)} columns within ${fmt(MAX_SAMPLE_CELLS)} sampled cells`);
        }
        continue;
      }

      records++;
      if (rec.length !== ncol) {
        ragged++;
        if (ragged === 1) firstRagged = `data record ${fmt(records)} has ${rec.length} field(s)`;
        if (ragged > RAGGED_FAIL_FAST_MIN && ragged > opts.raggedTolerance * records) throw raggedError();
        continue;
      }
      rows++;

      let rowMissing = false;
      for (let j = 0; j < ncol; j++) {
        const v = normalizeCell(rec[j]!);
        if (v === null) {
          missing[j]!++;
          if (j !== t) {
            missingFeatureCells++;
            rowMissing = true;
          }
          continue;
        }
        distinct[j]!.add(v);
        if (j === t && targetCounts !== null) {
          const c = targetCounts.get(v);
          if (c !== undefined) targetCounts.set(v, c + 1);
          else if (targetCounts.size < MAX_TARGET_VALUES) targetCounts.set(v, 1);
          else targetCounts = null;
        }
        if (numericOk[j] === 1) {
          const x = parseNumber(v);
          if (Number.isNaN(x)) {
            numericOk[j] = 0;
            continue;
          }
          if (integerOk[j] === 1 && !Number.isInteger(x)) integerOk[j] = 0;
          if (x < min[j]!) min[j] = x;
          if (x > max[j]!) max[j] = x;
          let sc = scale[j]!;
          // Zeros seen before the first non-zero value are zero in any scale.
          if (sc === 0 && x !== 0) sc = scale[j] = pow2Scale(Math.abs(x));
          const xs = sc === 0 ? 0 : x * sc;
          // Single-pass update of central moment sums; numerically stable unlike raw power sums.
          const n1 = cnt[j]!;
          const n = n1 + 1;
          cnt[j] = n;
          const delta = xs - mean[j]!;
          const dn = delta / n;
          const dn2 = dn * dn;
          const term1 = delta * dn * n1;
          const M2 = m2[j]!;
          const M3 = m3[j]!;
          mean[j] = mean[j]! + dn;
          m4[j] = m4[j]! + term1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * M2 - 4 * dn * M3;
          m3[j] = M3 + term1 * dn * (n - 2) - 3 * dn * M2;
          m2[j] = M2 + term1;
        }
      }
      if (rowMissing) rowsWithMissingFeature++;

      // Algorithm R: row i (1-based) replaces a uniform slot with probability capacity / i.
      if (reservoir.length < capacity) {
        reservoir.push(JSON.stringify(rec));
      } else {
        const slot = Math.floor(rng() * rows);
        // Encoding only accepted rows keeps the per-row cost off the hot path; JSON keeps
        // a sampled row as one compact string instead of an array of small strings.
        if (slot < capacity) reservoir[slot] = JSON.stringify(rec);
      }
    }
  };

  try {
    await pipeline(hashed, parser, consume);
  } catch (err) {
    if (err instanceof ProfileError) throw err;
    if (err instanceof CsvError) {
      throw new ProfileError('MALFORMED_CSV', `malformed CSV: ${err.message}`, { cause: err });
    }
    throw err;
  }

  if (bytes === 0) throw new ProfileError('EMPTY_INPUT', 'the input is empty');
  // The assertion stops TS narrowing `header` to its initial null: it is assigned inside `consume`.
  const finalHeader = header as string[] | null;
  if (finalHeader === null) throw new ProfileError('EMPTY_INPUT', 'the input has no header row (only blank lines)');
  if (ragged > 0 && ragged > opts.raggedTolerance * records) throw raggedError();
  if (rows === 0) {
    throw new ProfileError('NO_DATA_ROWS', ragged > 0 ? 'every data record has the wrong number of fields' : 'the CSV has a header but no data rows');
  }
  if (ragged > 0) notes.push(`skipped ${fmt(ragged)} ragged record(s) of ${fmt(records)}; ${firstRagged}`);

  shuffleInPlace(reservoir, createRng(opts.seed, 'shuffle'));

  const columns: ColumnScan[] = finalHeader.map((name, j) => ({
    name,
    missing: missing[j]!,
    numeric: numericOk[j] === 1,
    integer: integerOk[j] === 1,
    count: cnt[j]!,
    min: min[j]!,
    max: max[j]!,
    scale: scale[j]! === 0 ? 1 : scale[j]!,
    mean: mean[j]!,
    m2: m2[j]!,
    m3: m3[j]!,
    m4: m4[j]!,
    distinct: distinct[j]!.estimate(),
    distinctExact: distinct[j]!.exact,
  }));

  return {
    fingerprint: `sha256:${hash.digest('hex')}`,
    bytes,
    header: finalHeader,
    targetIndex: t,
    rows,
    raggedRows: ragged,
    columns,
    missingFeatureCells,
    rowsWithMissingFeature,
    targetCounts,
    sample: reservoir,
    sampleCapacity: capacity,
    notes,
  };
}
