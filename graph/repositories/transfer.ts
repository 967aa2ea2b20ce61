import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import type { Configuration, Dataset, DatasetInput, Experiment, ExperimentStatus, Trial } from '../model.ts';
import { read, rows, write } from '../tx.ts';
import { createDatasetTx, DATASET_FIELDS, getDatasetTx, toDataset } from './datasets.ts';
import { createExperimentTx, getExperimentTx, readCandidatesTx, type ExperimentWrite } from './experiments.ts';
import { insertSettingsChangesTx, settingsChangesTx, type SettingsChange } from './settings.ts';
import { insertTrialsTx, listAllTrialsTx, type NumberedTrialWrite } from './trials.ts';

export interface ImportItem {
  dataset: DatasetInput & { embedding: number[] | null };
  experiment: Omit<ExperimentWrite, 'datasetId'> & {
    /**
     * The experiment's id in the graph the line was exported from, if the line names one. The copy
     * keeps it when no experiment of this graph has it yet (a backup restored into another
     * database), and gets a new id otherwise.
     */
    id?: string;
    /**
     * What re-imports of the line are recognized by: the source id, or for a line without one a
     * digest of its content (see parseImport). Stored on the copy as `importedFrom`, unique per
     * project (migration 5).
     */
    importKey: string;
    status: ExperimentStatus;
    createdAt: string | null;
    finishedAt: string | null;
    /** Set on shared copies: the id of the experiment in its owner's project. */
    sharedFrom?: string;
  };
  trials: NumberedTrialWrite[];
  settingsChanges: SettingsChange[];
}

/** Trials per UNWIND statement: large enough to amortize round trips, small enough for the heap. */
const TRIAL_BATCH = 2_000;

const isConstraintViolation = (err: unknown) => (err as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed';

/**
 * Writes one exported experiment in one transaction, unless the project already has it: a copy
 * imported from the same line before (its `importedFrom` is the line's import key), or, when the
 * line names an id, the experiment with that id itself (a project's export imported back into it).
 * So re-running an import, whole or after an interruption, creates only what is missing, whichever
 * project or graph the file came from.
 *
 * Two imports of the same line at once both find nothing and both write; the uniqueness of
 * (projectId, importedFrom) lets only one commit. The other is run once more and then finds that
 * one: it answers `exists` instead of failing. (The same retry gives a line whose id another
 * project's import took meanwhile a new id.) A second violation goes to the caller (HTTP 409).
 */
export async function importExperiment(
  graph: Graph,
  projectId: string,
  item: ImportItem,
): Promise<{ experimentId: string; datasetId: string; status: 'created' | 'exists' }> {
  try {
    return await importExperimentOnce(graph, projectId, item);
  } catch (err) {
    if (!isConstraintViolation(err)) throw err;
    return importExperimentOnce(graph, projectId, item);
  }
}

async function importExperimentOnce(
  graph: Graph,
  projectId: string,
  item: ImportItem,
): Promise<{ experimentId: string; datasetId: string; status: 'created' | 'exists' }> {
  return write(graph, async (tx) => {
    const [imported] = await rows<{ id: string; datasetId: string }>(
      tx,
      'MATCH (e:Experiment {projectId: $projectId, importedFrom: $importKey}) RETURN e.id AS id, e.datasetId AS datasetId LIMIT 1',
      { projectId, importKey: item.experiment.importKey },
    );
    if (imported) return { experimentId: imported.id, datasetId: imported.datasetId, status: 'exists' as const };
    const sourceId = item.experiment.id;
    const [taken] = sourceId
      ? await rows<{ projectId: string; datasetId: string }>(tx, 'MATCH (e:Experiment {id: $id}) RETURN e.projectId AS projectId, e.datasetId AS datasetId', {
          id: sourceId,
        })
      : [];
    if (sourceId && taken?.projectId === projectId) return { experimentId: sourceId, datasetId: taken.datasetId, status: 'exists' as const };
    // An id taken in another project must not leak that fact or collide: the copy gets a new id.
    const id = sourceId && !taken ? sourceId : randomUUID();
    const { dataset } = await createDatasetTx(tx, projectId, item.dataset);
    await createExperimentTx(tx, projectId, { ...item.experiment, datasetId: dataset.id }, id);
    const maxNumber = item.trials.reduce((m, t) => Math.max(m, t.number), -1);
    await tx.run(
      `MATCH (e:Experiment {id: $id})
       SET e.status = $status, e.trialCount = $trialCount, e.sharedFrom = $sharedFrom, e.importedFrom = $importKey,
           e.createdAt = coalesce(datetime($createdAt), e.createdAt),
           e.finishedAt = CASE WHEN $status = 'finished' THEN coalesce(datetime($finishedAt), datetime()) END`,
      {
        id,
        status: item.experiment.status,
        trialCount: int(maxNumber + 1),
        createdAt: item.experiment.createdAt,
        finishedAt: item.experiment.finishedAt,
        sharedFrom: item.experiment.sharedFrom ?? null,
        importKey: item.experiment.importKey,
      },
    );
    for (let i = 0; i < item.trials.length; i += TRIAL_BATCH) {
      await insertTrialsTx(tx, projectId, id, item.trials.slice(i, i + TRIAL_BATCH), { returnTrials: false });
    }
    await insertSettingsChangesTx(tx, projectId, id, item.settingsChanges);
    return { experimentId: id, datasetId: dataset.id, status: 'created' as const };
  });
}

export interface ExperimentExport {
  experiment: Experiment;
  dataset: Awaited<ReturnType<typeof getDatasetTx>>;
  trials: Trial[];
  candidates: Configuration[] | null;
  settingsChanges: SettingsChange[];
}

/** Everything an export line holds, read in one transaction so it is a consistent snapshot. */
export async function exportExperiment(graph: Graph, projectId: string, id: string): Promise<ExperimentExport> {
  return read(graph, async (tx) => {
    const experiment = await getExperimentTx(tx, projectId, id);
    const dataset = await getDatasetTx(tx, projectId, experiment.datasetId);
    const trials = await listAllTrialsTx(tx, id);
    const candidates = experiment.candidateCount > 0 ? await readCandidatesTx(tx, projectId, id) : null;
    const settingsChanges = await settingsChangesTx(tx, projectId, id);
    return { experiment, dataset, trials, candidates, settingsChanges };
  });
}

/** Ids of a project's experiments in the order they were created (a whole-project export). */
export async function experimentIdsOldestFirst(graph: Graph, projectId: string): Promise<string[]> {
  const found = await read(graph, (tx) =>
    rows<{ id: string }>(tx, 'MATCH (e:Experiment) WHERE e.projectId = $projectId AND e.createdAt IS NOT NULL RETURN e.id AS id ORDER BY e.createdAt, e.id', {
      projectId,
    }),
  );
  return found.map((r) => r.id);
}

/** Datasets of a project that no experiment uses (they would be missing from experiment lines). */
export async function unusedDatasets(graph: Graph, projectId: string): Promise<Dataset[]> {
  const found = await read(graph, (tx) =>
    rows(
      tx,
      `MATCH (d:Dataset) WHERE d.projectId = $projectId AND d.createdAt IS NOT NULL AND NOT EXISTS { (:Experiment)-[:ON_DATASET]->(d) }
       RETURN ${DATASET_FIELDS} ORDER BY d.createdAt, d.id`,
      { projectId },
    ),
  );
  return found.map(toDataset);
}
