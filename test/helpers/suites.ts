// Loader for tabular benchmark suites in the `suite/1` format (bench/suites/SUITE-FORMAT.md), validated
// with zod. Used by optimizer tests and, later, by benchmarks. Tests may do I/O; optimizers/ may not.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { readSuite, suiteCandidates, SuiteSchema, TaskSchema } from '../../src/suites.ts';

export { SuiteSchema, TaskSchema };
export type Suite = z.infer<typeof SuiteSchema>;
export type Task = z.infer<typeof TaskSchema>;

/** Where the suites live (src/suites.ts's search order); tests need them, so absence is an error. */
export function suitesDir(): string {
  const dir = suiteCandidates().find((c) => existsSync(c));
  if (!dir) throw new Error(`benchmark suites not found (looked in ${suiteCandidates().join(', ')}); set PRECEDENT_SUITES`);
  return dir;
}

const loaded = new Map<string, Suite>();

export function loadSuite(name: string): Suite {
  const hit = loaded.get(name);
  if (hit) return hit;
  const suite = readSuite(join(suitesDir(), `${name}.json`));
  loaded.set(name, suite);
  return suite;
}

// The table helpers live in bench/tabular/task.ts, shared with the quality benchmark.
export { metaFeatureRecord, normalizedRegret, taskAsPrior, taskConfigs } from '../../bench/tabular/task.ts';
