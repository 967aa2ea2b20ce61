/**
 * Profiling throughput and memory on a large synthetic CSV.
 *
 *   npx tsx bench/csv-profile.ts [--mb 1024] [--sample-rows 100000] [--seed 1] [--keep] [--in-process] [--baseline]
 *
 * --baseline also times bare csv-parse over the same file (no profiling work), which
 * separates parser cost from profiler cost when the machine is shared and noisy.
 * The file is generated into os.tmpdir() and deleted afterwards (unless --keep). Profiling
 * runs in a forked child so its peak RSS (getrusage maxRSS) measures the profiler alone,
 * not the generator.
 */
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, statSync, unlinkSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileCsvFile } from '../src/metafeatures/index.ts';
import type { DatasetProfile } from '../src/metafeatures/index.ts';

interface Args {
  mb: number;
  sampleRows: number;
  seed: number;
  keep: boolean;
  inProcess: boolean;
  baseline: boolean;
  child: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { mb: 1024, sampleRows: 100_000, seed: 1, keep: false, inProcess: false, baseline: false, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--mb') args.mb = Number(next());
    else if (a === '--sample-rows') args.sampleRows = Number(next());
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--keep') args.keep = true;
    else if (a === '--in-process') args.inProcess = true;
    else if (a === '--baseline') args.baseline = true;
    else if (a === '--child') args.child = next();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.mb > 0)) throw new Error('--mb must be positive');
  return args;
}

/** Deterministic xorshift32 so the benchmark file is the same on every run. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * ~105-byte rows with a realistic mix: normal, skewed (exponential), uniform and count
 * columns, 5% missing cells in one column, low/medium/high-cardinality categoricals, a
 * quoted text column, and a 3-class label that depends on the features.
 */
async function generate(path: string, targetBytes: number): Promise<{ rows: number; bytes: number }> {
  const rnd = xorshift(12345);
  const normal = (): number => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const colors = ['red', 'green', 'blue', 'black', 'white'];
  const out = createWriteStream(path, { highWaterMark: 1 << 22 });
  const header = 'f_norm,f_exp,f_unif,f_count,f_missing,f_corr,f_big,color,city,user_id,comment,label\n';
  let bytes = header.length;
  out.write(header);
  let rows = 0;
  let buf = '';
  while (bytes < targetBytes) {
    const a = normal();
    const b = -Math.log(Math.max(rnd(), 1e-12));
    const c = rnd();
    const count = Math.floor(b * 3);
    const miss = rnd() < 0.05 ? 'NA' : (normal() * 10).toFixed(2);
    const corr = (2 * a + 0.1 * normal()).toFixed(4);
    const big = Math.floor(rnd() * 1e9);
    const color = colors[Math.floor(rnd() * 5)]!;
    const city = `city${Math.floor(rnd() * 1000)}`;
    const user = `u${Math.floor(rnd() * 1e8).toString(36)}`;
    const score = a + 0.5 * b - c;
    const label = score < 0 ? 'low' : score < 1 ? 'mid' : 'high';
    const line = `${a.toFixed(5)},${b.toFixed(5)},${c.toFixed(5)},${count},${miss},${corr},${big},${color},${city},${user},"note, ${rows % 97}",${label}\n`;
    buf += line;
    bytes += line.length;
    rows++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return { rows, bytes };
}

interface RunResult {
  wallMs: number;
  maxRssMb: number;
  peakRssSampledMb: number;
  peakHeapMb: number;
  profile: DatasetProfile;
}

async function runProfile(file: string, sampleRows: number, seed: number): Promise<RunResult> {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  }, 50);
  const t0 = performance.now();
  try {
    const profile = await profileCsvFile(file, { sampleRows, seed });
    const wallMs = performance.now() - t0;
    return {
      wallMs,
      // resourceUsage().maxRSS is in KiB.
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      peakRssSampledMb: peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      profile,
    };
  } finally {
    clearInterval(timer);
  }
}

/** Same reader and parser settings as the profiler, records discarded. */
async function parseOnly(file: string): Promise<{ ms: number; records: number }> {
  const t0 = performance.now();
  let records = 0;
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
    async (src: AsyncIterable<string[]>) => {
      for await (const _ of src) records++;
    },
  );
  return { ms: performance.now() - t0, records };
}

function runInChild(file: string, args: Args): Promise<RunResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    // process.execArgv carries tsx's loader flags, so the child runs this same TS file.
    const child = fork(self, ['--child', file, '--sample-rows', String(args.sampleRows), '--seed', String(args.seed)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: RunResult | null = null;
    child.on('message', (m) => {
      result = m as RunResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`profiling child exited with code ${code}`))));
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== null) {
    const r = await runProfile(args.child, args.sampleRows, args.seed);
    process.send?.(r);
    return;
  }

  const file = join(tmpdir(), `precedent-bench-${process.pid}.csv`);
  const cleanup = (): void => {
    if (!args.keep) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const tg = performance.now();
    const gen = await generate(file, args.mb * 2 ** 20);
    const genMs = performance.now() - tg;
    const size = statSync(file).size;
    console.log(`generated ${file}: ${(size / 2 ** 20).toFixed(0)} MiB, ${gen.rows.toLocaleString('en-US')} rows in ${(genMs / 1000).toFixed(1)} s`);

    const load0 = loadavg()[0]!;
    const r = args.inProcess ? await runProfile(file, args.sampleRows, args.seed) : await runInChild(file, args);
    const p = r.profile;
    const secs = r.wallMs / 1000;
    console.log(
      `profiled in ${secs.toFixed(1)} s: ${Math.round(p.rows / secs).toLocaleString('en-US')} rows/s, ${(size / 2 ** 20 / secs).toFixed(1)} MiB/s ` +
        `(1-min load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs)`,
    );
    if (args.baseline) {
      const b = await parseOnly(file);
      console.log(
        `baseline csv-parse only: ${(b.ms / 1000).toFixed(1)} s, ${(size / 2 ** 20 / (b.ms / 1000)).toFixed(1)} MiB/s ` +
          `(profiler = ${(r.wallMs / b.ms).toFixed(2)}× bare parsing)`,
      );
    }
    console.log(
      `peak RSS ${r.maxRssMb.toFixed(0)} MiB (getrusage maxRSS${args.inProcess ? ', includes generation' : ' of the profiling process'}), ` +
        `sampled peak RSS ${r.peakRssSampledMb.toFixed(0)} MiB, peak heap ${r.peakHeapMb.toFixed(0)} MiB`,
    );
    console.log(`rows ${p.rows.toLocaleString('en-US')}, sampled ${p.sampled} (${p.sampleRows.toLocaleString('en-US')}), ${p.fingerprint}`);
    console.log('notes:');
    for (const n of p.notes) console.log(`  - ${n}`);
    console.log('meta-features:');
    for (const [k, v] of Object.entries(p.metaFeatures)) console.log(`  ${k.padEnd(52)} ${Number.isInteger(v) ? v : v.toPrecision(6)}`);
  } finally {
    cleanup();
  }
}

await main();
