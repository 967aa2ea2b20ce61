// Peak memory of a hostile JSON Lines import: a million valid lines and one bad last line (~255 MiB),
// read as one string and parsed whole (what POST /v1/import did) against the streamed import
// (spooled, validated a chunk at a time). Each way runs in a child process of its own, so that each
// peak RSS is its own, on one throw-away Neo4j.
//   npx tsx bench/hostile-memory.ts [--lines 1000000]
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKey } from '../graph/repositories/keys.ts';
import { REPO_ROOT } from '../src/config.ts';
import { importStream, parseImport } from '../src/services/transfer.ts';
import { benchGraph } from './support/neo4j.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, child: { type: 'string' }, file: { type: 'string' } } });

if (values.child) {
  // In the child: import the file one way, report the peak RSS (MiB) and how it ended.
  const { uri, user, password, projectId } = JSON.parse(process.env.PRECEDENT_BENCH_GRAPH ?? '{}');
  const { connect } = await import('../graph/driver.ts');
  const graph = connect({ uri, user, password, database: 'neo4j' });
  const t0 = performance.now();
  let outcome: string;
  try {
    if (values.child === 'string') parseImport(readFileSync(values.file!, 'utf8'));
    else await importStream(graph, projectId, createReadStream(values.file!));
    outcome = 'accepted';
  } catch (err) {
    outcome = `${(err as { statusCode?: number }).statusCode ?? 'error'}: ${(err as Error).message.slice(0, 80)}`;
  }
  await graph.close();
  console.log(JSON.stringify({ peakMiB: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - t0) / 1000, outcome }));
  process.exit(0);
}

const n = Number(values.lines);
const file = join(tmpdir(), `precedent-hostile-${process.pid}.jsonl`);
const out = createWriteStream(file);
for (let i = 0; i < n; i++) {
  const line = JSON.stringify({
    format: 'precedent.experiment/1',
    dataset: { name: `d${i % 100}`, metaFeatures: { a: i % 100 } },
    experiment: {
      name: `e${i}`,
      model: { name: 'm' },
      seed: i,
      objective: { metric: 'loss', direction: 'minimize' },
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    },
    trials: [],
  });
  if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
}
out.end('{"format":"precedent.experiment/1","dataset":{}}\n');
await new Promise<void>((r) => out.once('finish', () => r()));

const { graph, stop } = await benchGraph('hostile-memory');
try {
  const { projectId } = await createKey(graph, 'hostile-memory', 'bench');
  const env = { ...process.env, PRECEDENT_BENCH_GRAPH: JSON.stringify({ ...connectionOf(), projectId }) };
  const bytes = readFileSync(file).length;
  console.log(`hostile import: ${n.toLocaleString('en-US')} valid lines + 1 bad last line, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  for (const way of ['string', 'stream']) {
    const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bench/hostile-memory.ts', '--child', way, '--file', file], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const m = JSON.parse(last) as { peakMiB: number; seconds: number; outcome: string };
      console.log(
        `  ${way === 'string' ? 'whole string (before)' : 'streamed (after)   '}: peak RSS ${m.peakMiB.toFixed(0)} MiB, ${m.seconds.toFixed(1)} s, ${m.outcome}`,
      );
    } catch {
      console.log(`  ${way}: failed\n${r.stderr.slice(-2000)}`);
    }
  }
} finally {
  await stop();
  rmSync(file, { force: true });
}

/** The throw-away server's connection (benchGraph's folder), for the child processes. */
function connectionOf(): { uri: string; user: string; password: string } {
  const home = join(REPO_ROOT, '.neo4j', `bench-hostile-memory-${process.pid}`);
  const state = JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8')) as { user: string; password: string; boltPort: number };
  return { uri: `bolt://127.0.0.1:${state.boltPort}`, user: state.user, password: state.password };
}
