// The API keys a process verified are copies of the graph: dropped when the connection to Neo4j was
// lost (a restored dump may not have them), and the ones used last verified again by the warm-up.
import { describe, expect, it } from 'vitest';
import { createKey, hashKey, revokeKey } from '../../graph/repositories/keys.ts';
import { VerifiedKeys } from '../../src/http/verified-keys.ts';
import { testGraph } from '../support/graph.ts';
import { recordStatements } from '../support/sent-statements.ts';

describe('verified API keys', () => {
  it('are trusted for cacheSeconds, dropped when Neo4j was lost, and verified again by reverify: a key revoked meanwhile is refused', async () => {
    const graph = testGraph();
    try {
      const statements = recordStatements(graph);
      const project = `verified-keys-${Date.now()}`;
      const kept = await createKey(graph, project, 'kept');
      const revoked = await createKey(graph, project, 'revoked');
      const keys = new VerifiedKeys(graph, 3600);
      expect(await keys.projectOf(hashKey(kept.secret))).toBe(kept.projectId);
      expect(await keys.projectOf(hashKey(revoked.secret))).toBe(kept.projectId);
      expect(await keys.projectOf(hashKey('prc_nobody'))).toBeNull();
      await revokeKey(graph, revoked.key.id);
      statements.take();
      expect(await keys.projectOf(hashKey(revoked.secret)), 'trusted until its entry expires').toBe(kept.projectId);
      expect(statements.take().size).toBe(0);

      // A connection lost and found again at once (a restart under idle connections).
      expect(await graph.availability.failed()).toBe(true);
      await keys.reverify();
      expect(statements.take().size, 'reverify looked the keys up').toBeGreaterThan(0);
      expect(await keys.projectOf(hashKey(kept.secret))).toBe(kept.projectId);
      expect(statements.take().size, 'a key verified again needs no lookup').toBe(0);
      expect(await keys.projectOf(hashKey(revoked.secret))).toBeNull();
    } finally {
      await graph.close();
    }
  });
});
