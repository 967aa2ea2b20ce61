import { randomUUID } from 'node:crypto';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError, InvalidInputError } from '../../graph/errors.ts';
import { createDataset, fingerprintConflicts } from '../../graph/repositories/datasets.ts';
import type { Dataset } from '../../graph/model.ts';
import { experimentIdsOldestFirst, exportExperiment, importExperiment, unusedDatasets, type ImportItem } from '../../graph/repositories/transfer.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { DATASET_FORMAT, DatasetLine, EXPORT_FORMAT, ExperimentLine } from '../schemas/transfer.ts';
import { metaFeatureEmbedding } from '../similarity/embedding.ts';
import { forgetRanges } from '../similarity/rank.ts';
import { prepareCandidates, prepareConfig } from './configs.ts';

/**
 * Parses and validates every line before anything is written: a bad line anywhere rejects the
 * whole import with the line number, the field and the reason.
 */
export type ImportLine = ({ kind: 'experiment' } & ImportItem) | { kind: 'dataset'; dataset: ImportItem['dataset'] };

export function parseImport(text: string): ImportLine[] {
  const items: ImportLine[] = [];
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
      const d = DatasetLine.safeParse(data);
      if (!d.success) {
        const [first, ...rest] = d.error.issues.map((i) => ({ field: `line ${lineNo}: ${i.path.join('.') || '(line)'}`, reason: i.message }));
        throw new InvalidInputError(first?.field ?? `line ${lineNo}`, first?.reason ?? 'is invalid', rest.slice(0, 20));
      }
      items.push({ kind: 'dataset', dataset: { ...d.data.dataset, embedding: metaFeatureEmbedding(d.data.dataset.metaFeatures) } });
      return;
    }
    const parsed = ExperimentLine.safeParse(data);
    if (!parsed.success) {
      const [first, ...rest] = parsed.error.issues.map((i) => ({ field: `line ${lineNo}: ${i.path.join('.') || '(line)'}`, reason: i.message }));
      throw new InvalidInputError(first?.field ?? `line ${lineNo}`, first?.reason ?? 'is invalid', rest.slice(0, 20));
    }
    const { dataset, experiment, trials, settingsChanges } = parsed.data;
    const space = experiment.searchSpace as SearchSpace;
    items.push({
      kind: 'experiment',
      dataset: { ...dataset, embedding: metaFeatureEmbedding(dataset.metaFeatures) },
      experiment: {
        ...experiment,
        id: experiment.id ?? randomUUID(),
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

export async function runImport(graph: Graph, projectId: string, text: string) {
  return importLines(graph, projectId, parseImport(text));
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
    if (prev && prev.fingerprint && item.dataset.fingerprint && prev.fingerprint !== item.dataset.fingerprint) {
      throw new ConflictError(`line ${i + 1}: dataset "${item.dataset.name}" version "${item.dataset.version}" has another fingerprint than on line ${prev.line}`, { line: i + 1 });
    }
    if (!prev || !prev.fingerprint) seen.set(key, { line: i + 1, fingerprint: item.dataset.fingerprint });
  });
  const [conflict] = await fingerprintConflicts(graph, projectId, items.map((i) => i.dataset));
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
