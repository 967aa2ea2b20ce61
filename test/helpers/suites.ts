// Loader for tabular benchmark suites in the `suite/1` format (shared/bench/SUITE-FORMAT.md), validated
// with zod. Used by optimizer tests and, later, by benchmarks. Tests may do I/O; optimizers/ may not.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DirectionSchema, SearchSpaceSchema, type Config, type Observation, type PriorExperiment, type SearchSpace } from '../../optimizers/index.ts';

const CellSchema = z.union([z.string(), z.number(), z.null()]);

export const TaskSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    metaFeatures: z.array(z.number()).nullable(),
    best: z.number(),
    worst: z.number(),
    configs: z.array(z.array(CellSchema)),
    values: z.array(z.number()),
  })
  .catchall(z.unknown());

export const SuiteSchema = z
  .object({
    format: z.literal('suite/1'),
    name: z.string(),
    description: z.string(),
    objective: z.object({ name: z.string(), direction: DirectionSchema }),
    searchSpace: SearchSpaceSchema,
    metaFeatureNames: z.array(z.string()),
    extraValues: z
      .array(z.object({ key: z.string().startsWith('values_'), name: z.string(), direction: DirectionSchema, unit: z.string().optional() }))
      .optional(),
    tasks: z.array(TaskSchema),
  })
  .superRefine((s, ctx) => {
    s.tasks.forEach((t, i) => {
      if (t.configs.length !== t.values.length) ctx.addIssue({ code: 'custom', path: ['tasks', i], message: 'configs/values length mismatch' });
      if (t.metaFeatures && t.metaFeatures.length !== s.metaFeatureNames.length) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'metaFeatures'], message: 'metaFeatures length differs from metaFeatureNames' });
      }
      if (t.configs.some((row) => row.length !== s.searchSpace.length)) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'configs'], message: 'row width differs from searchSpace' });
      }
    });
  });

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
