import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { Graph } from '../../graph/driver.ts';
import { ConflictError, InvalidInputError } from '../../graph/errors.ts';
import { createDataset, fingerprintConflicts } from '../../graph/repositories/datasets.ts';
import type { Dataset } from '../../graph/model.ts';
import { experimentIdsOldestFirst, exportExperiment, importExperiment, unusedDatasets, type ImportItem } from '../../graph/repositories/transfer.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { DATASET_FORMAT, DatasetLine, EXPORT_FORMAT, ExperimentLine } from '../schemas/transfer.ts';
import { metaFeatureEmbedding } from '../similarity/embedding.ts';
import { invalidInput, issuesOf, safeParseExplained } from '../http/validation.ts';
import { DEFAULT_SPACE_LIMITS, type SpaceLimits } from '../../optimizers/space.ts';
import { assertValidSpace, prepareCandidates, prepareConfig } from './configs.ts';

/**
 * One line of a JSON Lines import, parsed and validated, with its line number. Every line is
 * validated before anything is written: a bad line anywhere rejects the whole import with the line
 * number, the field and the reason.
 */
export type ImportLine = { line: number } & (({ kind: 'experiment' } & ImportItem) | { kind: 'dataset'; dataset: ImportItem['dataset'] });

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

/** What parsing a file keeps from line to line: lines without an id that share a digest are told apart by order. */
export type ImportState = { contentKeys: Map<string, number> };
export const newImportState = (): ImportState => ({ contentKeys: new Map() });

/** Parses and validates one line (numbered from 1); null for a blank one. */
export function parseImportLine(raw: string, lineNo: number, state: ImportState, limits: SpaceLimits = DEFAULT_SPACE_LIMITS): ImportLine | null {
  const trimmed = raw.trim();
  if (!trimmed) return null;
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (err) {
    throw new InvalidInputError(`line ${lineNo}`, `not valid JSON (${(err as Error).message})`);
  }
  if ((data as { format?: unknown } | null)?.format === DATASET_FORMAT) {
    const d = safeParseExplained(DatasetLine, data);
    if (!d.success) throw lineError(d.error, lineNo, data);
    return { line: lineNo, kind: 'dataset', dataset: { ...d.data.dataset, embedding: metaFeatureEmbedding(d.data.dataset.metaFeatures) } };
  }
  const parsed = safeParseExplained(ExperimentLine, data);
  if (!parsed.success) throw lineError(parsed.error, lineNo, data);
  const { dataset, experiment, trials, settingsChanges } = parsed.data;
  const space = experiment.searchSpace as SearchSpace;
  assertValidSpace(space, `line ${lineNo}: experiment.searchSpace`, limits);
  return {
    line: lineNo,
    kind: 'experiment',
    dataset: { ...dataset, embedding: metaFeatureEmbedding(dataset.metaFeatures) },
    experiment: {
      ...experiment,
      // Re-imports are recognized by where the line came from, never by the id the copy got.
      importKey: experiment.id ?? contentKey(parsed.data, state.contentKeys),
      candidates: experiment.candidates && prepareCandidates(space, experiment.candidates, `line ${lineNo}: experiment.candidates`),
    },
    trials: trials.map((t, i) => {
      const { config, hash } = prepareConfig(space, t.config, `line ${lineNo}: trials.${i}.config`);
      return { ...t, config, configHash: hash };
    }),
    settingsChanges,
  };
}

const noLines = () => new InvalidInputError('body', 'no experiments: send one JSON object per line');

export function parseImport(text: string, limits: SpaceLimits = DEFAULT_SPACE_LIMITS): ImportLine[] {
  const state = newImportState();
  const items = text.split('\n').flatMap((raw, i) => parseImportLine(raw, i + 1, state, limits) ?? []);
  if (items.length === 0) throw noLines();
  return items;
}

export async function runImport(graph: Graph, projectId: string, text: string, limits?: SpaceLimits) {
  return importLines(graph, projectId, parseImport(text, limits));
}

/**
 * Refuses a dataset version whose data differ (its fingerprint) from the same version elsewhere in
 * the file (`seen` carries what earlier lines said) or in the graph, naming the line. Writes nothing.
 */
async function checkFingerprints(graph: Graph, projectId: string, items: ImportLine[], seen: Map<string, { line: number; fingerprint?: string }>) {
  for (const item of items) {
    const key = `${item.dataset.name}@${item.dataset.version}`;
    const prev = seen.get(key);
    if (prev?.fingerprint && item.dataset.fingerprint && prev.fingerprint !== item.dataset.fingerprint) {
      throw new ConflictError(
        `line ${item.line}: dataset "${item.dataset.name}" version "${item.dataset.version}" has another fingerprint than on line ${prev.line}`,
        {
          line: item.line,
        },
      );
    }
    if (!prev?.fingerprint) seen.set(key, { line: item.line, fingerprint: item.dataset.fingerprint });
  }
  const [conflict] = await fingerprintConflicts(
    graph,
    projectId,
    items.map((i) => i.dataset),
  );
  if (conflict) {
    const item = items[conflict.index]!;
    throw new ConflictError(
      `line ${item.line}: dataset "${item.dataset.name}" version "${item.dataset.version}" already exists with a different fingerprint; give the new data a new version`,
      { line: item.line, fingerprint: conflict.stored },
    );
  }
}

export type ImportResult = Awaited<ReturnType<typeof writeLines>>;

/** Writes parsed lines: each experiment in a transaction of its own, datasets first-come. */
async function writeLines(graph: Graph, projectId: string, items: ImportLine[]) {
  const experiments = [];
  const datasets = [];
  let trials = 0;
  for (const item of items) {
    if (item.kind === 'dataset') {
      const r = await createDataset(graph, projectId, item.dataset);
      datasets.push({ line: item.line, datasetId: r.dataset.id, status: r.created ? ('created' as const) : ('exists' as const) });
      continue;
    }
    const r = await importExperiment(graph, projectId, item);
    if (r.status === 'created') trials += item.trials.length;
    experiments.push({ line: item.line, ...r, trials: item.trials.length });
  }
  return { experiments, datasets, trials };
}

/** Writes parsed lines (see parseImport) into a project, after checking dataset fingerprints. */
export async function importLines(graph: Graph, projectId: string, items: ImportLine[]) {
  const started = performance.now();
  await checkFingerprints(graph, projectId, items, new Map());
  const written = await writeLines(graph, projectId, items);
  return { ...written, seconds: (performance.now() - started) / 1000 };
}

/** Lines per chunk of a streamed import: what is held in memory at once. */
const IMPORT_CHUNK_LINES = 100;

/**
 * Imports JSON Lines from a stream with memory bounded by a chunk of lines, not by the file: the
 * body is spooled to a temporary file, a first pass validates every line (and checks the datasets'
 * fingerprints) without keeping them, and only then does a second pass write, a chunk at a time.
 * The event loop gets a turn between lines and chunks.
 */
export async function importStream(
  graph: Graph,
  projectId: string,
  body: AsyncIterable<Buffer | string>,
  opts: { limits?: SpaceLimits; maxBytes?: number } = {},
) {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'precedent-import-'));
  const file = join(dir, 'body.jsonl');
  try {
    let bytes = 0;
    const limit = opts.maxBytes;
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer | string>) {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          if (limit !== undefined && bytes > limit) throw new PayloadTooLargeError(limit);
          yield chunk;
        }
      },
      createWriteStream(file, { mode: 0o600 }),
    );
    const chunks = async function* () {
      const state = newImportState();
      let lineNo = 0;
      let chunk: ImportLine[] = [];
      for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
        const item = parseImportLine(raw, ++lineNo, state, opts.limits);
        if (item) chunk.push(item);
        if (chunk.length === IMPORT_CHUNK_LINES) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    };
    const seen = new Map<string, { line: number; fingerprint?: string }>();
    let lines = 0;
    for await (const items of chunks()) {
      await checkFingerprints(graph, projectId, items, seen);
      lines += items.length;
    }
    if (lines === 0) throw noLines();
    const result: ImportResult = { experiments: [], datasets: [], trials: 0 };
    for await (const items of chunks()) {
      const written = await writeLines(graph, projectId, items);
      result.experiments.push(...written.experiments);
      result.datasets.push(...written.datasets);
      result.trials += written.trials;
    }
    return { ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A streamed import larger than the limit: 413, like a body over fastify's own limit. */
export class PayloadTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`the import is larger than the limit of ${limit.toLocaleString('en-US')} bytes; split it into several files`);
    this.name = 'PayloadTooLargeError';
  }
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
