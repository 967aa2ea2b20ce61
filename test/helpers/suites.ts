// Loader for tabular benchmark suites in the `suite/1` format (shared/bench/SUITE-FORMAT.md), validated
// with zod. Used by optimizer tests and, later, by benchmarks. Tests may do I/O; optimizers/ may not.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Config, Observation, PriorExperiment, SearchSpace } from '../../optimizers/index.ts';
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

export function rowToConfig(space: SearchSpace, row: (string | number | null)[]): Config {
  const c: Config = {};
  space.forEach((p, i) => {
    c[p.name] = row[i] ?? null;
  });
  return c;
}

export function taskConfigs(suite: Suite, task: Task): Config[] {
  return task.configs.map((row) => rowToConfig(suite.searchSpace, row));
}

export function metaFeatureRecord(suite: Suite, task: Task): Record<string, number> | null {
  if (!task.metaFeatures) return null;
  return Object.fromEntries(suite.metaFeatureNames.map((n, i) => [n, task.metaFeatures![i]!]));
}

/** A task as a completed prior experiment (every table row one observation). */
export function taskAsPrior(suite: Suite, task: Task, values: number[] = task.values): PriorExperiment {
  const configs = taskConfigs(suite, task);
  const observations: Observation[] = configs.map((config, i) => ({ id: `${task.id}:${i}`, config, value: values[i]!, state: 'completed' }));
  return { id: task.id, direction: suite.objective.direction, space: suite.searchSpace, metaFeatures: metaFeatureRecord(suite, task), observations };
}

/** Normalised regret |best − y| / |best − worst| (0 when the table is flat). */
export function normalizedRegret(task: Task, y: number): number {
  const range = Math.abs(task.best - task.worst);
  return range > 0 ? Math.abs(task.best - y) / range : 0;
}
