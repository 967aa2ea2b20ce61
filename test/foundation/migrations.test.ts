import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../graph/schema/migrate.ts';
import { MIGRATIONS } from '../../graph/schema/migrations.ts';
import { testGraph } from '../support/graph.ts';

const graph = testGraph();
afterAll(() => graph.close());

async function schemaSnapshot() {
  const q = (cypher: string) => graph.driver.executeQuery(cypher, {}, { database: graph.database });
  const constraints = (await q('SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name')).records.map((r) => r.get('name') as string);
  const indexes = (await q("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name ORDER BY name")).records.map((r) => r.get('name') as string);
  const recorded = (await q('MATCH (m:SchemaMigration) RETURN m.version AS v ORDER BY v')).records.map((r) => r.get('v') as number);
  return { constraints, indexes, recorded };
}

describe('schema migrations', () => {
  it('applied twice leave one schema and one record per migration', async () => {
    await migrate(graph);
    const first = await schemaSnapshot();
    const again = await migrate(graph);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(again.drifted).toEqual([]);
    const second = await schemaSnapshot();
    expect(second).toEqual(first);
    expect(second.recorded).toEqual(MIGRATIONS.map((m) => m.version));
    expect(new Set(second.constraints).size).toBe(second.constraints.length);
    expect(second.constraints).toContain('schema_migration_version');
  });

  it('reports a released migration whose statements changed', async () => {
    const edited = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, statements: [...m.statements, 'RETURN 1'] } : m));
    const r = await migrate(graph, edited);
    expect(r.drifted).toEqual([MIGRATIONS[0]?.version]);
  });
});
