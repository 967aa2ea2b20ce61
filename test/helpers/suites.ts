// Loader for tabular benchmark suites in the `suite/1` format (shared/bench/SUITE-FORMAT.md), validated
// with zod. Used by optimizer tests and, later, by benchmarks. Tests may do I/O; optimizers/ may not.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { SuiteSchema, TaskSchema } from '../../src/suites.ts';

export { SuiteSchema, TaskSchema };
export type Suite = z.infer<typeof SuiteSchema>;
export type Task = z.infer<typeof TaskSchema>;

/** Where the shared suites live: $PRECEDENT_SUITES, else shared/ beside the repo (CI layout), else inside it. */
export function suitesDir(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = [process.env.PRECEDENT_SUITES, join(repo, '..', 'shared', 'bench', 'suites'), join(repo, 'shared', 'bench', 'suites')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error(`benchmark suites not found (looked in ${candidates.filter(Boolean).join(', ')}); set PRECEDENT_SUITES`);
}

const loaded = new Map<string, Suite>();

export function loadSuite(name: string): Suite {
  const hit = loaded.get(name);
  if (hit) return hit;
  const raw: unknown = JSON.parse(readFileSync(join(suitesDir(), `${name}.json`), 'utf8'));
  const suite = SuiteSchema.parse(raw);
  loaded.set(name, suite);
  return suite;
}

// The table helpers live in bench/tabular/task.ts, shared with the quality benchmark.
export { metaFeatureRecord, normalizedRegret, taskAsPrior, taskConfigs } from '../../bench/tabular/task.ts';
