import { afterAll, describe, expect, it } from 'vitest';
import { readStatement, write, rows } from '../../graph/tx.ts';
import { testGraph } from '../support/graph.ts';

const graph = testGraph();
afterAll(() => graph.driver.close());

// Named so that their frames can be looked for in the stack.
async function failingAutoCommitCaller(): Promise<unknown> {
  return readStatement(graph, 'RETURN 1 / toInteger($zero) AS x', { zero: 0 });
}
async function failingTransactionCaller(): Promise<unknown> {
  return write(graph, (tx) => rows(tx, 'RETURN 10 % toInteger($zero) AS y', { zero: 0 }));
}

describe('statement errors (graph/tx.ts rows)', () => {
  it("a failing statement carries Neo4j's message and the caller's stack, in one piece", async () => {
    const err = (await failingAutoCommitCaller().catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('Neo.ClientError.Statement.ArithmeticError');
    const lines = String(err.stack).split('\n');
    expect(lines[0]).toContain('/ by zero');
    expect(lines.some((l) => l.includes('failingAutoCommitCaller'))).toBe(true);
    // Neo4j's lines, then the caller's frames: no empty line between them.
    expect(lines.every((l) => l.trim() !== '')).toBe(true);
  });

  it('inside an explicit transaction, as far as the transaction function', async () => {
    // The driver calls the transaction function from its own (transpiled, not async) retry loop,
    // so the stack ends there, as the driver's own trace did.
    const err = (await failingTransactionCaller().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(String(err.stack).split('\n')[0]).toContain('/ by zero');
    expect(String(err.stack)).toMatch(/statement-errors\.test\.ts:\d+/);
  });

  it('leaves the stack trace limit as it was, after success and failure alike', async () => {
    const before = Error.stackTraceLimit;
    await readStatement(graph, 'RETURN 1 AS x');
    await failingAutoCommitCaller().catch(() => undefined);
    expect(Error.stackTraceLimit).toBe(before);
    expect((await readStatement<{ x: unknown }>(graph, 'RETURN 1 AS x'))[0]!.x).toBeDefined();
    expect(new Error('probe').stack!.split('\n').length).toBeGreaterThan(1);
  });
});
