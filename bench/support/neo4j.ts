import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { connect, type Graph } from '../../graph/driver.ts';
import { awaitIndexes, migrate } from '../../graph/schema/migrate.ts';
import { startOnFreePorts, stopInstance } from '../../graph/server/instance.ts';
import { REPO_ROOT } from '../../src/config.ts';

/**
 * A throw-away local Neo4j for one benchmark run (its own folder and ports), migrated and with
 * indexes online. Benchmarks never touch the user's database.
 */
/** How another process reaches a bench graph (e.g. a second service process). */
export type BenchConnection = { uri: string; user: string; password: string; database: string };

export async function benchGraph(name: string, heap = '2g'): Promise<{ graph: Graph; pid: number; connection: BenchConnection; stop: () => Promise<void> }> {
  // Per process: a benchmark must not stop the server of another run (tests use bench code too).
  const home = join(REPO_ROOT, '.neo4j', `bench-${name}-${process.pid}`);
  rmSync(home, { recursive: true, force: true });
  const inst = await startOnFreePorts({ home, heap, pageCache: '1g' });
  const graph = connect({ uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' });
  await migrate(graph);
  await awaitIndexes(graph);
  return {
    graph,
    pid: inst.pid,
    connection: { uri: inst.boltUri, user: inst.user, password: inst.password, database: 'neo4j' },
    stop: async () => {
      await graph.close();
      await stopInstance(home);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}

/** CPU milliseconds (user + system) the process `pid` has used so far, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** CPU used by this Node process and by `pid` (Neo4j) between start() and the returned stop(). */
export function cpuMeter(pid: number): () => { nodeMs: number; neo4jMs: number } {
  const node0 = process.cpuUsage();
  const neo0 = processCpuMs(pid);
  return () => {
    const node = process.cpuUsage(node0);
    return { nodeMs: (node.user + node.system) / 1000, neo4jMs: processCpuMs(pid) - neo0 };
  };
}
