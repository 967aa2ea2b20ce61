/**
 * Versioned schema changes, applied in order and recorded as (:SchemaMigration) nodes.
 * Every statement must be idempotent (IF NOT EXISTS), because Neo4j cannot run schema
 * commands and the bookkeeping write in one transaction: a crash between the two is
 * repaired by simply running the migration again.
 * Never edit a released migration; add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'schema bookkeeping',
    statements: ['CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE'],
  },
  {
    version: 2,
    name: 'knowledge graph of experiments',
    statements: [
      // Ids are UUIDs, unique across projects; tenancy is enforced by matching projectId as well.
      'CREATE CONSTRAINT project_id IF NOT EXISTS FOR (n:Project) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT project_name IF NOT EXISTS FOR (n:Project) REQUIRE n.name IS UNIQUE',
      'CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT dataset_key IF NOT EXISTS FOR (n:Dataset) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT model_key IF NOT EXISTS FOR (n:Model) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT hyperparameter_key IF NOT EXISTS FOR (n:Hyperparameter) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT experiment_id IF NOT EXISTS FOR (n:Experiment) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT trial_id IF NOT EXISTS FOR (n:Trial) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT trial_number IF NOT EXISTS FOR (n:Trial) REQUIRE (n.experimentId, n.number) IS UNIQUE',
      'CREATE CONSTRAINT config_key IF NOT EXISTS FOR (n:Config) REQUIRE n.key IS UNIQUE',
      'CREATE INDEX dataset_project IF NOT EXISTS FOR (n:Dataset) ON (n.projectId, n.createdAt)',
      'CREATE INDEX dataset_fingerprint IF NOT EXISTS FOR (n:Dataset) ON (n.projectId, n.fingerprint)',
      'CREATE INDEX experiment_project IF NOT EXISTS FOR (n:Experiment) ON (n.projectId, n.createdAt)',
      'CREATE INDEX experiment_status IF NOT EXISTS FOR (n:Experiment) ON (n.projectId, n.status)',
      'CREATE INDEX trial_state IF NOT EXISTS FOR (n:Trial) ON (n.experimentId, n.state)',
      'CREATE INDEX model_name IF NOT EXISTS FOR (n:Model) ON (n.projectId, n.name)',
      // Approximate nearest neighbours over squashed meta-features (see graph/README.md); exact
      // per-feature-normalized re-ranking happens on the retrieved candidates.
      `CREATE VECTOR INDEX dataset_meta_features IF NOT EXISTS FOR (n:Dataset) ON n.embedding
       OPTIONS {indexConfig: {\`vector.dimensions\`: 64, \`vector.similarity_function\`: 'euclidean'}}`,
    ],
  },
  {
    version: 3,
    name: 'api keys and idempotency records',
    statements: [
      // Keys are looked up by the sha256 of the secret; the secret itself is never stored.
      'CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE',
      'CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE',
      // One record per (project, Idempotency-Key): the constraint is what makes two concurrent
      // retries of one request execute it once.
      'CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (r:IdempotencyRecord) REQUIRE (r.projectId, r.key) IS UNIQUE',
      'CREATE INDEX idempotency_created IF NOT EXISTS FOR (r:IdempotencyRecord) ON (r.createdAt)',
    ],
  },
  {
    version: 4,
    name: 'trials found by their latest event',
    statements: [
      // changedSeq is the experiment event sequence number of a trial's latest change (created,
      // finished, invalidated, marked stale): incremental history reads seek it instead of
      // scanning every trial of the experiment.
      'CREATE INDEX trial_changed IF NOT EXISTS FOR (n:Trial) ON (n.experimentId, n.changedSeq)',
      `MATCH (t:Trial) WHERE t.changedSeq IS NULL
       WITH t, [s IN [coalesce(t.createdSeq, 0), t.finishedSeq, t.invalidatedSeq, t.staleSeq] WHERE s IS NOT NULL] AS seqs
       SET t.changedSeq = reduce(m = 0, s IN seqs | CASE WHEN s > m THEN s ELSE m END)`,
    ],
  },
  {
    version: 5,
    name: 'imports keyed on their source',
    statements: [
      // An imported experiment records what it was imported from (the source experiment's id, or a
      // digest of an id-less line); one copy per project, so re-running an import, or two runs of it
      // at once, never creates an experiment twice. Experiments created here have no importedFrom
      // and are not constrained.
      'CREATE CONSTRAINT experiment_imported_from IF NOT EXISTS FOR (n:Experiment) REQUIRE (n.projectId, n.importedFrom) IS UNIQUE',
    ],
  },
  {
    version: 6,
    name: 'trials found by their configuration',
    statements: [
      // Recording a batch checks, inside its transaction, that no configuration of it is already a
      // trial of the experiment (another replica may have recorded it since the batch was computed).
      'CREATE INDEX trial_config IF NOT EXISTS FOR (n:Trial) ON (n.experimentId, n.configHash)',
    ],
  },
];
