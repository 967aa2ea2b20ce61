import { Socket } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { coalesceBoltWrites } from '../../graph/bolt-writes.ts';
import { testConnection, testGraph } from '../support/graph.ts';

const graph = testGraph();
afterAll(() => graph.close());
const boltPort = Number(new URL(testConnection().uri).port || 7687);

/** Runs `work` and counts the socket writes (system calls) that went to Neo4j meanwhile. */
async function boltWrites<T>(work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  let writes = 0;
  const count = (name: '_write' | '_writev') => {
    const original = proto[name];
    return vi.spyOn(proto, name).mockImplementation(function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === boltPort) writes++;
      return original.apply(this, args);
    });
  };
  const spies = [count('_write'), count('_writev')];
  try {
    const result = await work();
    return { result, writes };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe('Bolt write coalescing (graph/bolt-writes.ts)', () => {
  it('applies to the installed driver', () => {
    // False would mean the driver's channel changed shape: writes still work, one system call per chunk.
    expect(coalesceBoltWrites()).toBe(true);
    expect(coalesceBoltWrites()).toBe(true);
  });

  it('sends a statement with a large parameter in a few writes, byte for byte', async () => {
    await graph.driver.executeQuery('RETURN 1', {}, { database: graph.database });
    // 200 KB of multi-byte text: about 150 of the driver's 1,400-byte chunks.
    const text = Array.from({ length: 40_000 }, (_, i) => `é${i % 10}ß`).join('');
    const { result, writes } = await boltWrites(() =>
      graph.driver.executeQuery('RETURN $text AS text, size($text) AS n', { text }, { database: graph.database }),
    );
    expect(result.records[0]?.get('text')).toBe(text);
    expect(result.records[0]?.get('n')).toBe(text.length);
    // Uncoalesced, the statement alone took one write per chunk.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(4);
  });

  it('keeps concurrent statements on several connections intact', async () => {
    const values = Array.from({ length: 48 }, (_, i) => 'x'.repeat(1000 + i * 997) + String(i));
    const { result, writes } = await boltWrites(() =>
      Promise.all(values.map((v) => graph.driver.executeQuery('RETURN $v AS v', { v }, { database: graph.database }).then((r) => r.records[0]?.get('v')))),
    );
    expect(result).toEqual(values);
    const chunks = values.reduce((sum, v) => sum + Math.ceil(v.length / 1400), 0);
    expect(writes).toBeLessThan(chunks / 4);
  });
});
