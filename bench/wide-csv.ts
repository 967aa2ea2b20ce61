// A wide CSV (19,999 columns) profiled on the event loop (what POST /v1/datasets did) and in a worker
// thread (profileCsvOffThread, what it does now), each in a child process of its own: the longest
// the event loop was held (a 10 ms timer's worst lateness), peak RSS and time.
//   npx tsx bench/wide-csv.ts [--columns 19999] [--rows 200]
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../src/config.ts';

const { values } = parseArgs({
  options: { columns: { type: 'string', default: '19999' }, rows: { type: 'string', default: '200' }, child: { type: 'string' }, file: { type: 'string' } },
});

if (values.child) {
  const { profileCsv } = await import('../src/metafeatures/index.ts');
  const { profileCsvOffThread } = await import('../src/metafeatures/off-thread.ts');
  let last = performance.now();
  let worstLateMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstLateMs = Math.max(worstLateMs, now - last - 10);
    last = now;
  }, 10);
  const t0 = performance.now();
  const input = createReadStream(values.file!, { highWaterMark: 1 << 20 });
  const opts = { target: 'label' };
  const profile = values.child === 'event-loop' ? await profileCsv(input, opts) : await profileCsvOffThread(input, opts);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  console.log(JSON.stringify({ worstLateMs, seconds, peakMiB: process.resourceUsage().maxRSS / 1024, features: profile.metaFeatures.number_of_features }));
  process.exit(0);
}

const columns = Number(values.columns);
const rows = Number(values.rows);
const file = join(tmpdir(), `precedent-wide-${process.pid}.csv`);
const out = createWriteStream(file);
out.write(`${Array.from({ length: columns - 1 }, (_, j) => `f${j}`).join(',')},label\n`);
for (let i = 0; i < rows; i++) {
  const line = `${Array.from({ length: columns - 1 }, (_, j) => ((i * 31 + j * 7) % 997) / 10).join(',')},${i % 2}\n`;
  if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
}
out.end();
await new Promise<void>((r) => out.once('finish', () => r()));
try {
  console.log(`wide CSV: ${columns.toLocaleString('en-US')} columns × ${rows} rows, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
  console.log('| where | event loop held at most | peak RSS | time |');
  console.log('|---|---|---|---|');
  for (const way of ['event-loop', 'worker-thread']) {
    const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bench/wide-csv.ts', '--child', way, '--file', file], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    try {
      const m = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { worstLateMs: number; seconds: number; peakMiB: number };
      console.log(`| ${way} | ${m.worstLateMs.toFixed(0)} ms | ${m.peakMiB.toFixed(0)} MiB | ${m.seconds.toFixed(1)} s |`);
    } catch {
      console.log(`| ${way} | failed: ${r.stderr.slice(-500)} |`);
    }
  }
} finally {
  rmSync(file, { force: true });
}
