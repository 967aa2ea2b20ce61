import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError, InvalidInputError } from '../../graph/errors.ts';
import { createDataset, fingerprintConflicts } from '../../graph/repositories/datasets.ts';
import type { Dataset } from '../../graph/model.ts';
import { experimentIdsOldestFirst, exportExperiment, importExperiment, unusedDatasets, type ImportItem } from '../../graph/repositories/transfer.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { DATASET_FORMAT, DatasetLine, EXPORT_FORMAT, ExperimentLine } from '../schemas/transfer.ts';
import { metaFeatureEmbedding } from '../similarity/embedding.ts';
import { forgetRanges } from '../similarity/rank.ts';
import { invalidInput, issuesOf, safeParseExplained } from '../http/validation.ts';
import { DEFAULT_SPACE_LIMITS, type SpaceLimits } from '../../optimizers/space.ts';
import { assertValidSpace, prepareCandidates, prepareConfig } from './configs.ts';

/**
 * Parses and validates every line before anything is written: a bad line anywhere rejects the
 * whole import with the line number, the field and the reason.
 */
export type ImportLine = ({ kind: 'experiment' } & ImportItem) | { kind: 'dataset'; dataset: ImportItem['dataset'] };

/** JSON with every object's keys sorted, so a digest does not depend on the order they were written in. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * The import key of a line without an experiment id: a digest of what identifies the experiment as
 * the line states it (dataset name and version, experiment name, model, objective, createdAt, seed
 * and search space; not its trials), so the same file gives the same keys every time it is read.
 * Lines of one file that agree on all of these are told apart by their order (`#2`, `#3`, …),
 * which a file's first lines (an interrupted import) share with the whole file.
 */
function contentKey(raw: unknown, seen: Map<string, number>): string {
  const { dataset, experiment } = raw as { dataset?: Record<string, unknown>; experiment?: Record<string, unknown> };
  const identity = {
    dataset: { name: dataset?.name, version: dataset?.version },
    experiment: {
      name: experiment?.name,
      model: experiment?.model,
      objective: experiment?.objective,
      createdAt: experiment?.createdAt,
      seed: experiment?.seed,
      searchSpace: experiment?.searchSpace,
    },
  };
  const digest = createHash('sha256').update(canonicalJson(identity)).digest('hex');
  const n = (seen.get(digest) ?? 0) + 1;
  seen.set(digest, n);
  return `sha256:${digest}${n > 1 ? `#${n}` : ''}`;
}

/** A line's problems, each field prefixed with the line number (`line 3: experiment.searchSpace.0.type`). */
function lineError(error: z.ZodError, lineNo: number, data: unknown): InvalidInputError {
  const issues = issuesOf(error, '', data).map((i) => ({ field: `line ${lineNo}: ${i.field || '(line)'}`, reason: i.reason }));
  return invalidInput(issues.slice(0, 21), `line ${lineNo}`);
}

export function parseImport(text: string, limits: SpaceLimits = DEFAULT_SPACE_LIMITS): ImportLine[] {
  const items: ImportLine[] = [];
  const contentKeys = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (!trimmed) return;
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (err) {
      throw new InvalidInputError(`line ${lineNo}`, `not valid JSON (${(err as Error).message})`);
    }
    if ((data as { format?: unknown } | null)?.format === DATASET_FORMAT) {
      const d = safeParseExplained(DatasetLine, data);
      if (!d.success) throw lineError(d.error, lineNo, data);
      items.push({ kind: 'dataset', dataset: { ...d.data.dataset, embedding: metaFeatureEmbedding(d.data.dataset.metaFeatures) } });
      return;
    }
    const parsed = safeParseExplained(ExperimentLine, data);
    if (!parsed.success) throw lineError(parsed.error, lineNo, data);
    const { dataset, experiment, trials, settingsChanges } = parsed.data;
    const space = experiment.searchSpace as SearchSpace;
    assertValidSpace(space, `line ${lineNo}: experiment.searchSpace`, limits);
    items.push({
      kind: 'experiment',
      dataset: { ...dataset, embedding: metaFeatureEmbedding(dataset.metaFeatures) },
      experiment: {
        ...experiment,
        // Re-imports are recognized by where the line came from, never by the id the copy got.
        importKey: experiment.id ?? contentKey(parsed.data, contentKeys),
        candidates: experiment.candidates && prepareCandidates(space, experiment.candidates, `line ${lineNo}: experiment.candidates`),
      },
      trials: trials.map((t, i) => {
        const { config, hash } = prepareConfig(space, t.config, `line ${lineNo}: trials.${i}.config`);
        return { ...t, config, configHash: hash };
      }),
      settingsChanges,
    });
  });
  if (items.length === 0) throw new InvalidInputError('body', 'no experiments: send one JSON object per line');
  return items;
}

export async function runImport(graph: Graph, projectId: string, text: string, limits?: SpaceLimits) {
  return importLines(graph, projectId, parseImport(text, limits));
}

/** Writes parsed lines (see parseImport) into a project, after checking dataset fingerprints. */
export async function importLines(graph: Graph, projectId: string, items: ImportLine[]) {
  const started = performance.now();
  // Within the file, and against the graph: a dataset version whose data differ is refused before
  // anything is written, naming the line.
  const seen = new Map<string, { line: number; fingerprint?: string }>();
  items.forEach((item, i) => {
    const key = `${item.dataset.name}@${item.dataset.version}`;
    const prev = seen.get(key);
    if (prev?.fingerprint && item.dataset.fingerprint && prev.fingerprint !== item.dataset.fingerprint) {
      throw new ConflictError(
        `line ${i + 1}: dataset "${item.dataset.name}" version "${item.dataset.version}" has another fingerprint than on line ${prev.line}`,
        { line: i + 1 },
      );
    }
    if (!prev?.fingerprint) seen.set(key, { line: i + 1, fingerprint: item.dataset.fingerprint });
  });
  const [conflict] = await fingerprintConflicts(
    graph,
    projectId,
    items.map((i) => i.dataset),
  );
  if (conflict) {
    const d = items[conflict.index]?.dataset;
    throw new ConflictError(
      `line ${conflict.index + 1}: dataset "${d?.name}" version "${d?.version}" already exists with a different fingerprint; give the new data a new version`,
      { line: conflict.index + 1, fingerprint: conflict.stored },
    );
  }
  const experiments = [];
  const datasets = [];
  let trials = 0;
  for (const [i, item] of items.entries()) {
    if (item.kind === 'dataset') {
      const r = await createDataset(graph, projectId, item.dataset);
      datasets.push({ line: i + 1, datasetId: r.dataset.id, status: r.created ? ('created' as const) : ('exists' as const) });
      continue;
    }
    const r = await importExperiment(graph, projectId, item);
    if (r.status === 'created') trials += item.trials.length;
    experiments.push({ line: i + 1, ...r, trials: item.trials.length });
  }
  forgetRanges(projectId);
  return { experiments, datasets, trials, seconds: (performance.now() - started) / 1000 };
}

function datasetFields(d: Dataset) {
  return {
    name: d.name,
    version: d.version,
    fingerprint: d.fingerprint ?? undefined,
    taskType: d.taskType,
    instances: d.instances ?? undefined,
    features: d.features ?? undefined,
    classes: d.classes ?? undefined,
    description: d.description ?? undefined,
    metaFeatures: d.metaFeatures,
  };
}

/**
 * A whole project as JSON Lines, oldest first: one line per experiment, then one per dataset that
 * no experiment uses. Importing it into an empty project recreates the project (backup/restore).
 * Each line is read in its own transaction; a project changing during the export gives lines from
 * slightly different moments.
 */
export async function* exportProject(graph: Graph, projectId: string): AsyncGenerator<string> {
  for (const id of await experimentIdsOldestFirst(graph, projectId)) yield await exportLine(graph, projectId, id);
  for (const d of await unusedDatasets(graph, projectId)) yield JSON.stringify({ format: DATASET_FORMAT, dataset: datasetFields(d) });
}

/** One line of the export format; importing it elsewhere recreates the experiment. */
export async function exportLine(graph: Graph, projectId: string, experimentId: string): Promise<string> {
  const { experiment: e, dataset: d, trials, candidates, settingsChanges } = await exportExperiment(graph, projectId, experimentId);
  const line = {
    format: EXPORT_FORMAT,
    dataset: datasetFields(d),
    experiment: {
      id: e.id,
      name: e.name,
      model: { name: e.model.name, library: e.model.library, family: e.model.family },
      searchSpace: e.searchSpace,
      objective: e.objective,
      budget: e.budget,
      seed: e.seed,
      optimizer: e.optimizer,
      optimizerVersion: e.optimizerVersion,
      warmStart: e.warmStart,
      tags: e.tags,
      candidates: candidates ?? undefined,
      status: e.status,
      createdAt: e.createdAt,
      finishedAt: e.finishedAt,
    },
    trials: trials.map((t) => ({
      number: t.number,
      state: t.state,
      config: t.config,
      value: t.value,
      metrics: t.metrics,
      intermediate: t.intermediate,
      proposedBy: t.proposedBy,
      strategy: t.strategy,
      reason: t.reason,
      user: t.user,
      failReason: t.failReason,
      invalid: t.invalid,
      invalidReason: t.invalidReason,
      provenance: t.provenance,
      durationSeconds: t.durationSeconds,
      createdAt: t.createdAt,
      startedAt: t.startedAt,
      completedAt: t.completedAt,
    })),
    settingsChanges,
  };
  return JSON.stringify(line);
}
