// Runs in a worker thread (see off-thread.ts): profiles the CSV stream it was handed and posts the
// profile back, or the ProfileError's code and message (an error object does not cross threads whole).
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { parentPort, workerData } from 'node:worker_threads';
import { ProfileError } from './errors.ts';
import { profileCsv } from './profile.ts';
import type { ProfileOptions } from './schema.ts';

const { stream, opts } = workerData as { stream: ReadableStream; opts: ProfileOptions };
try {
  const profile = await profileCsv(Readable.fromWeb(stream), opts);
  parentPort!.postMessage({ ok: true, profile });
} catch (err) {
  if (err instanceof ProfileError) parentPort!.postMessage({ ok: false, code: err.code, message: err.message });
  else parentPort!.postMessage({ ok: false, code: null, message: (err as Error).message ?? String(err) });
}
