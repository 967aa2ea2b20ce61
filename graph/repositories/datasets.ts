import { randomUUID } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { Dataset, type DatasetInput } from '../model.ts';
import { read, rows, write, type Tx } from '../tx.ts';

export interface DatasetWrite extends DatasetInput {
  /** Fixed-length vector for the vector index; null when the dataset has no meta-features. */
  embedding: number[] | null;
}

/** Meta-features are stored as two parallel lists: Neo4j properties cannot hold maps. */
export const DATASET_FIELDS = `d.id AS id, d.projectId AS projectId, d.name AS name, d.version AS version,
  d.fingerprint AS fingerprint, d.taskType AS taskType, d.instances AS instances, d.features AS features,
  d.classes AS classes, d.description AS description, d.metaFeatureNames AS metaFeatureNames,
  d.metaFeatureValues AS metaFeatureValues, toString(d.createdAt) AS createdAt`;

/** Meta-features back from their stored parallel lists. */
export function metaFeatureRecord(names: unknown, values: unknown): Record<string, number> {
  const v = (values as number[] | null) ?? [];
  return Object.fromEntries(((names as string[] | null) ?? []).map((n, i) => [n, v[i] as number]));
}

export function toDataset(row: Record<string, unknown>): Dataset {
  const metaFeatures = metaFeatureRecord(row.metaFeatureNames, row.metaFeatureValues);
  return Dataset.parse({ ...row, metaFeatures, metaFeatureNames: undefined, metaFeatureValues: undefined });
}

export const datasetKey = (projectId: string, name: string, version: string) => `${projectId}/${name}@${version}`;

export function datasetProps(input: DatasetWrite) {
  const names = Object.keys(input.metaFeatures).sort();
  return {
    name: input.name,
    version: input.version,
    fingerprint: input.fingerprint ?? null,
    taskType: input.taskType,
    instances: input.instances === undefined ? null : int(input.instances),
    features: input.features === undefined ? null : int(input.features),
    classes: input.classes === undefined ? null : int(input.classes),
    description: input.description ?? null,
    metaFeatureNames: names,
    metaFeatureValues: names.map((n) => input.metaFeatures[n] as number),
    embedding: input.embedding,
  };
}

/**
 * Creates the dataset, or returns the existing one with the same name and version when it is
 * the same data (same fingerprint, or no fingerprint given). A different fingerprint under the
 * same name and version is a conflict: a new data version needs a new version label.
 */
export async function createDataset(graph: Graph, projectId: string, input: DatasetWrite): Promise<{ dataset: Dataset; created: boolean }> {
  return write(graph, (tx) => createDatasetTx(tx, projectId, input));
}

export async function createDatasetTx(tx: Tx, projectId: string, input: DatasetWrite): Promise<{ dataset: Dataset; created: boolean }> {
  const [row] = await rows(
    tx,
    `MATCH (p:Project {id: $projectId})
     MERGE (d:Dataset {key: $key})
     ON CREATE SET d += $props, d.id = $id, d.projectId = $projectId, d.createdAt = datetime()
     MERGE (p)-[:HAS_DATASET]->(d)
     RETURN d.id = $id AS created, ${DATASET_FIELDS}`,
    { projectId, key: datasetKey(projectId, input.name, input.version), id: randomUUID(), props: datasetProps(input) },
  );
  if (!row) throw new NotFoundError('project', projectId);
  const dataset = toDataset(row);
  const created = row.created === true;
  if (!created && input.fingerprint && dataset.fingerprint && input.fingerprint !== dataset.fingerprint) {
    throw new ConflictError(`dataset "${input.name}" version "${input.version}" already exists with a different fingerprint; give the new data a new version`, {
      datasetId: dataset.id,
      fingerprint: dataset.fingerprint,
    });
  }
  return { dataset, created };
}

export async function getDataset(graph: Graph, projectId: string, id: string): Promise<Dataset> {
  return read(graph, (tx) => getDatasetTx(tx, projectId, id));
}

export async function getDatasetTx(tx: Tx, projectId: string, id: string): Promise<Dataset> {
  const [row] = await rows(
    tx,
    `MATCH (d:Dataset {id: $id}) WHERE d.projectId = $projectId
       OPTIONAL MATCH (e:Experiment)-[:ON_DATASET]->(d)
       WITH d, count(e) AS experimentCount
       RETURN ${DATASET_FIELDS}, experimentCount`,
    { projectId, id },
  );
  if (!row) throw new NotFoundError('dataset', id);
  return toDataset(row);
}

export async function listDatasets(
  graph: Graph,
  projectId: string,
  q: { name?: string; taskType?: string; limit: number; offset: number },
): Promise<{ items: Dataset[]; total: number }> {
  return read(graph, async (tx) => {
    // `createdAt IS NOT NULL` lets the planner use the (projectId, createdAt) index.
    const where = `d.projectId = $projectId AND d.createdAt IS NOT NULL
      AND ($name IS NULL OR toLower(d.name) CONTAINS toLower($name))
      AND ($taskType IS NULL OR d.taskType = $taskType)`;
    const params = { projectId, name: q.name ?? null, taskType: q.taskType ?? null, limit: int(q.limit), offset: int(q.offset) };
    const [count] = await rows<{ total: number }>(tx, `MATCH (d:Dataset) WHERE ${where} RETURN count(d) AS total`, params);
    const items = await rows(
      tx,
      `MATCH (d:Dataset) WHERE ${where}
       WITH d ORDER BY d.createdAt DESC, d.id SKIP $offset LIMIT $limit
       OPTIONAL MATCH (e:Experiment)-[:ON_DATASET]->(d)
       WITH d, count(e) AS experimentCount
       RETURN ${DATASET_FIELDS}, experimentCount
       ORDER BY d.createdAt DESC, d.id`,
      params,
    );
    return { items: items.map(toDataset), total: count?.total ?? 0 };
  });
}

/**
 * Which of these datasets would conflict with stored ones (same name and version, another
 * fingerprint), so a multi-dataset write can be refused before anything is written.
 */
export async function fingerprintConflicts(
  graph: Graph,
  projectId: string,
  items: { name: string; version: string; fingerprint?: string | null }[],
): Promise<{ index: number; stored: string }[]> {
  const keyed = items.flatMap((d, index) => (d.fingerprint ? [{ index, key: datasetKey(projectId, d.name, d.version), fingerprint: d.fingerprint }] : []));
  if (keyed.length === 0) return [];
  const found = await read(graph, (tx) =>
    rows<{ index: number; stored: string }>(
      tx,
      `UNWIND $keyed AS k
       MATCH (d:Dataset {key: k.key})
       WHERE d.fingerprint IS NOT NULL AND d.fingerprint <> k.fingerprint
       RETURN k.index AS index, d.fingerprint AS stored`,
      { keyed: keyed.map((k) => ({ ...k, index: int(k.index) })) },
    ),
  );
  return found.map((r) => ({ index: Number(r.index), stored: r.stored }));
}
