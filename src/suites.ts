// Reader for the tabular benchmark suites (`suite/1`, bench/suites/SUITE-FORMAT.md), for code that
// runs outside the tests (the demo knowledge base). Validated with zod at the file boundary.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DirectionSchema, SearchSpaceSchema, type Config, type SearchSpace } from '../optimizers/schema.ts';
import { REPO_ROOT } from './config.ts';

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

/** `suite/1` (bench/suites/SUITE-FORMAT.md); unknown fields are kept, as the format asks readers to allow. */
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
  .catchall(z.unknown())
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
export type SuiteTask = Suite['tasks'][number];

/** The suites shipped with the repository (bench/suites/README.md says where they come from). */
export const BUNDLED_SUITES = join(REPO_ROOT, 'bench', 'suites');

/**
 * Where suites are looked up: $PRECEDENT_SUITES when set, then the repository's own copy. Nothing
 * outside the repository is searched, so a fresh clone behaves the same with or without anything beside it.
 */
export function suiteCandidates(): string[] {
  return [process.env.PRECEDENT_SUITES, BUNDLED_SUITES].filter((c): c is string => Boolean(c));
}

/** The suite file, or null when no suites folder holds it. */
export function findSuite(name: string, dirs: string[] = suiteCandidates()): string | null {
  for (const dir of dirs) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) return file;
  }
  return null;
}

export function readSuite(file: string): Suite {
  return SuiteSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function rowConfig(space: SearchSpace, row: (string | number | null)[]): Config {
  return Object.fromEntries(space.map((p, i) => [p.name, row[i] ?? null]));
}

export function taskMetaFeatures(suite: Suite, task: SuiteTask): Record<string, number> {
  return task.metaFeatures ? Object.fromEntries(suite.metaFeatureNames.map((n, i) => [n, task.metaFeatures![i]!])) : {};
}
