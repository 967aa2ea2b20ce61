import { int } from 'neo4j-driver';
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

  it('fills in changedSeq (migration 4) for trials written before it, as the largest of their event numbers', async () => {
    const q = (cypher: string, params: Record<string, unknown> = {}) => graph.driver.executeQuery(cypher, params, { database: graph.database });
    const experimentId = `migration-4-${Date.now()}`;
    await q(
      `UNWIND $trials AS t CREATE (n:Trial {id: $experimentId + '/' + t.n, experimentId: $experimentId, number: t.n})
       SET n.createdSeq = t.created, n.finishedSeq = t.finished, n.invalidatedSeq = t.invalidated, n.staleSeq = t.stale`,
      {
        experimentId,
        trials: [
          { n: 0, created: null, finished: null, invalidated: null, stale: null },
          { n: 1, created: 3, finished: null, invalidated: null, stale: null },
          { n: 2, created: 3, finished: 9, invalidated: null, stale: 5 },
          { n: 3, created: 4, finished: 6, invalidated: 11, stale: null },
        ].map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v === null ? null : int(v)]))),
      },
    );
    const backfill = MIGRATIONS.find((m) => m.version === 4)!.statements.filter((s) => s.includes('changedSeq IS NULL'));
    expect(backfill).toHaveLength(1);
    await q(backfill[0]!);
    await q(backfill[0]!);
    const got = await q('MATCH (t:Trial {experimentId: $experimentId}) RETURN t.changedSeq AS s ORDER BY t.number', { experimentId });
    expect(got.records.map((r) => r.get('s'))).toEqual([0, 3, 9, 11]);
    await q('MATCH (t:Trial {experimentId: $experimentId}) DELETE t', { experimentId });
  });
});
