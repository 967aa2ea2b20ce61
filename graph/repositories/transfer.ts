import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import type { Configuration, Dataset, DatasetInput, Experiment, ExperimentStatus, Trial } from '../model.ts';
import { read, rows, write } from '../tx.ts';
import { createDatasetTx, DATASET_FIELDS, getDatasetTx, toDataset } from './datasets.ts';
import { createExperimentTx, getExperimentTx, readCandidatesTx, type ExperimentWrite } from './experiments.ts';
import { insertSettingsChangesTx, settingsChangesTx, type SettingsChange } from './suggestions.ts';
import { insertTrialsTx, listAllTrialsTx, type NumberedTrialWrite } from './trials.ts';

export interface ImportItem {
  dataset: DatasetInput & { embedding: number[] | null };
  experiment: Omit<ExperimentWrite, 'datasetId'> & {
    id: string;
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

/**
 * Writes one exported experiment in one transaction. An experiment whose id already exists in
 * the project is left alone, so re-running an interrupted import is safe.
 */
export async function importExperiment(graph: Graph, projectId: string, item: ImportItem): Promise<{ experimentId: string; datasetId: string; status: 'created' | 'exists' }> {
  return write(graph, async (tx) => {
    const [existing] = await rows<{ projectId: string; datasetId: string }>(
      tx,
      'MATCH (e:Experiment {id: $id}) RETURN e.projectId AS projectId, e.datasetId AS datasetId',
      { id: item.experiment.id },
    );
    if (existing && existing.projectId === projectId) return { experimentId: item.experiment.id, datasetId: existing.datasetId, status: 'exists' as const };
    // An id taken in another project must not leak that fact or collide: the copy gets a new id.
    const id = existing ? randomUUID() : item.experiment.id;
    const { dataset } = await createDatasetTx(tx, projectId, item.dataset);
    await createExperimentTx(tx, projectId, { ...item.experiment, datasetId: dataset.id }, id);
    const maxNumber = item.trials.reduce((m, t) => Math.max(m, t.number), -1);
    await tx.run(
      `MATCH (e:Experiment {id: $id})
       SET e.status = $status, e.trialCount = $trialCount, e.sharedFrom = $sharedFrom,
           e.createdAt = coalesce(datetime($createdAt), e.createdAt),
           e.finishedAt = CASE WHEN $status = 'finished' THEN coalesce(datetime($finishedAt), datetime()) END`,
      {
        id,
        status: item.experiment.status,
        trialCount: int(maxNumber + 1),
        createdAt: item.experiment.createdAt,
        finishedAt: item.experiment.finishedAt,
        sharedFrom: item.experiment.sharedFrom ?? null,
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
    rows<{ id: string }>(tx, 'MATCH (e:Experiment) WHERE e.projectId = $projectId AND e.createdAt IS NOT NULL RETURN e.id AS id ORDER BY e.createdAt, e.id', { projectId }),
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
