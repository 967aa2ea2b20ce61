import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ProfileError, type ProfileErrorCode } from './errors.ts';
import type { DatasetProfile, ProfileOptions } from './schema.ts';

const BOOT = new URL('../workers/boot.mjs', import.meta.url);
const ENTRY = new URL('./profile-worker.ts', import.meta.url).href;

type Outcome = { ok: true; profile: DatasetProfile } | { ok: false; code: ProfileErrorCode | null; message: string };

/**
 * Profiles a CSV in a worker thread of its own, so that a wide or huge file never holds the event
 * loop that answers every other request (a 20,000-column CSV held it for 5-7 s). The stream itself
 * moves to the worker (a transferable web stream), so the bytes are read there, with backpressure,
 * and never buffered whole. A worker per upload: uploads are rare, and it starts in a fraction of a
 * second.
 */
export function profileCsvOffThread(input: Readable, opts: ProfileOptions): Promise<DatasetProfile> {
  const stream = Readable.toWeb(input);
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = new Worker(BOOT, {
      workerData: { entry: ENTRY, stream, opts },
      transferList: [stream as unknown as import('node:worker_threads').TransferListItem],
    });
    worker.once('message', (m: Outcome) => {
      settled = true;
      if (m.ok) resolve(m.profile);
      else reject(m.code ? new ProfileError(m.code, m.message) : new Error(`profiling failed: ${m.message}`));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the profiling worker stopped (exit code ${code}) before it answered`));
      settled = true;
    });
  });
}
