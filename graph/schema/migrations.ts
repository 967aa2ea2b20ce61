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
    statements: [
      'CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE',
    ],
  },
];
