// What every quality-style run shares around the protocol: the partial file and `--resume`, the recorded
// environment, the suite warnings, and writing the outputs once the run is complete.
import { join } from 'node:path';
import type { Suite } from '../../src/suites.ts';
import { startEnvironment } from './environment.ts';
import type { Method } from './method.ts';
import { PARTIAL_FILE, PartialRuns } from './partial.ts';
import { qualityResults, type QualityOptions, resumeOptions, runCurves } from './run.ts';
import type { QualityResults } from './schema.ts';

export type RecordedRun = {
  /** Output folder: the partial file lives there while the run is unfinished. */
  out: string;
  resume: boolean;
  stopAfter?: number;
  /** The command line after `npm run bench --`, recorded in the results. */
  command: string;
  /** The Python that runs Optuna, when an Optuna method runs (its version is recorded). */
  python: string | null;
  skipped?: { method: string; reason: string }[];
  log: (line: string) => void;
};

/** Runs the protocol with a partial file in `run.out`; the complete results with their environment, or
 * null when `--stop-after` stopped it (the partial file stays for `--resume`). */
export async function runRecorded(suite: Suite, methods: Method[], opts: QualityOptions, run: RecordedRun): Promise<QualityResults | null> {
  const env = startEnvironment(run.command, run.python);
  const partial = PartialRuns.open(join(run.out, PARTIAL_FILE), resumeOptions(suite, methods, opts), run.resume, run.log);
  const resumed = { runs: partial.size, seconds: 0 };
  for (const m of methods) for (const t of opts.tasks) for (const s of opts.seeds) resumed.seconds += partial.get(m.name, t.id, s)?.seconds ?? 0;
  const curves = await runCurves(suite, methods, opts, run.log, { partial, ...(run.stopAfter !== undefined ? { stopAfter: run.stopAfter } : {}) });
  if (!curves) return null;
  return { ...qualityResults(suite, methods, opts, curves, run.skipped ?? []), environment: env.finish(resumed) };
}

/** Removes the partial file once the outputs are written. */
export function finishRecorded(out: string): void {
  PartialRuns.discard(join(out, PARTIAL_FILE));
}

/**
 * Warnings for a suite without meta-features (for every task or some): the warm-started methods then
 * cannot rank priors by dataset similarity, and optuna-tpe-warm falls back to suite order.
 */
export function metaFeatureWarnings(suite: Suite, methodNames: string[]): string[] {
  const without = suite.tasks.filter((t) => !t.metaFeatures).length;
  if (without === 0) return [];
  const which =
    without === suite.tasks.length
      ? `suite ${suite.name} has no meta-features`
      : `${without} of ${suite.tasks.length} tasks of suite ${suite.name} have no meta-features`;
  const out = [`${which}: priors cannot be ranked by dataset similarity`];
  if (methodNames.some((m) => m === 'transfer' || m === 'warm-init' || m.startsWith('transfer-')))
    out.push('transfer and warm-init weigh the priors by their results alone (how their models order the target’s results once it has some)');
  if (methodNames.includes('optuna-tpe-warm'))
    out.push('optuna-tpe-warm falls back to enqueuing the best drawn config of the first priors in suite order (no similarity to go by)');
  return [out.join('; ')];
}
