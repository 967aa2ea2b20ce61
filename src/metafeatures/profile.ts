import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { computeProfile } from './compute.ts';
import { scanCsv } from './csv-profile.ts';
import type { CsvInput } from './csv-profile.ts';
import { ProfileError } from './errors.ts';
import { ProfileOptionsSchema } from './schema.ts';
import type { DatasetProfile, ProfileOptions } from './schema.ts';

export const DEFAULT_SAMPLE_ROWS = 100_000;
export const DEFAULT_SEED = 1;
export const DEFAULT_RAGGED_TOLERANCE = 0.01;

function resolve(opts: ProfileOptions | undefined): Required<Omit<ProfileOptions, 'target' | 'maxBytes'>> & Pick<ProfileOptions, 'target' | 'maxBytes'> {
  const parsed = ProfileOptionsSchema.safeParse(opts ?? {});
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new ProfileError('BAD_OPTIONS', `invalid profiling options: ${msg}`);
  }
  const o = parsed.data;
  return {
    target: o.target,
    maxBytes: o.maxBytes,
    taskType: o.taskType ?? 'auto',
    sampleRows: o.sampleRows ?? DEFAULT_SAMPLE_ROWS,
    seed: o.seed ?? DEFAULT_SEED,
    delimiter: o.delimiter ?? ',',
    raggedTolerance: o.raggedTolerance ?? DEFAULT_RAGGED_TOLERANCE,
  };
}

/**
 * Profiles a CSV (header row required) in one streaming pass with bounded memory.
 * Same bytes + same options ⇒ identical profile, however the input is chunked.
 * Throws ProfileError for bad input or options.
 */
export async function profileCsv(input: CsvInput, opts?: ProfileOptions): Promise<DatasetProfile> {
  const o = resolve(opts);
  const scan = await scanCsv(input, o);
  return computeProfile(scan, { taskType: o.taskType, seed: o.seed });
}

/** File convenience for the CLI; rejects an oversized file before reading it. */
export async function profileCsvFile(path: string, opts?: ProfileOptions): Promise<DatasetProfile> {
  const o = resolve(opts);
  const { size } = await stat(path);
  if (o.maxBytes !== undefined && size > o.maxBytes) {
    throw new ProfileError('TOO_LARGE', `${path} is ${size.toLocaleString('en-US')} bytes, over the limit of ${o.maxBytes.toLocaleString('en-US')}`);
  }
  // 1 MiB reads: the 64 KiB default costs measurably more per-chunk overhead on GB files.
  return profileCsv(createReadStream(path, { highWaterMark: 1 << 20 }), opts);
}
