import { createHash } from 'node:crypto';
import { int } from 'neo4j-driver';
import type { Graph } from '../driver.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
  current: number;
  /** Migrations whose recorded checksum differs from the code: someone edited a released one. */
  drifted: number[];
}

export function checksum(m: Migration): string {
  return createHash('sha256').update(m.statements.join('\n;\n')).digest('hex').slice(0, 16);
}

async function recorded(graph: Graph): Promise<Map<number, string>> {
  const res = await graph.driver.executeQuery(
    'MATCH (m:SchemaMigration) RETURN m.version AS version, m.checksum AS checksum',
    {},
    { database: graph.database, routing: 'READ' },
  );
  return new Map(res.records.map((r) => [Number(r.get('version')), String(r.get('checksum'))]));
}

/** Waits until every index is online (a vector index populates in the background after creation or bulk writes). */
export async function awaitIndexes(graph: Graph, seconds = 300): Promise<void> {
  await graph.driver.executeQuery('CALL db.awaitIndexes($seconds)', { seconds: int(seconds) }, { database: graph.database });
}

export async function migrate(graph: Graph, migrations: Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const done = await recorded(graph);
  const report: MigrationReport = { applied: [], alreadyApplied: [], current: 0, drifted: [] };
  for (const m of sorted) {
    const sum = checksum(m);
    if (done.has(m.version)) {
      report.alreadyApplied.push(m.version);
      if (done.get(m.version) !== sum) report.drifted.push(m.version);
    } else {
      for (const statement of m.statements) {
        await graph.driver.executeQuery(statement, {}, { database: graph.database });
      }
      await graph.driver.executeQuery(
        `MERGE (m:SchemaMigration {version: $version})
         ON CREATE SET m.name = $name, m.checksum = $checksum, m.appliedAt = datetime()`,
        { version: m.version, name: `v${m.version}: ${m.name}`, checksum: sum },
        { database: graph.database },
      );
      report.applied.push(m.version);
    }
    report.current = m.version;
  }
  return report;
}
