// The partial file of a quality run (`<out>/partial.jsonl`): a header with the options, then one line per
// finished (method, task, seed) run, appended as it finishes. An interrupted run leaves it behind and
// `--resume` continues from it: runs already in it are taken over, not run again, and a resume with
// other options is refused. The file is removed once results.json is written.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CurveSchema, type Curve } from './schema.ts';

export const PARTIAL_FILE = 'partial.jsonl';

const HeaderSchema = z.object({ format: z.literal('quality-partial/1'), options: z.record(z.string(), z.unknown()) });
const RecordSchema = z.object({ method: z.string(), curve: CurveSchema, seconds: z.number() });
export type PartialRecord = z.infer<typeof RecordSchema>;

const key = (method: string, task: string, seed: number) => `${method}\u0000${task}\u0000${seed}`;

export class PartialRuns {
  private readonly done = new Map<string, PartialRecord>();

  private constructor(readonly path: string) {}

  /**
   * Starts a partial file for `options`, or with `resume` continues the one at `path`. Refuses to resume
   * a run made with other options, and (without `resume`) to overwrite an unfinished run.
   */
  static open(path: string, options: Record<string, unknown>, resume: boolean, log: (line: string) => void): PartialRuns {
    const p = new PartialRuns(path);
    if (existsSync(path)) {
      if (!resume) throw new Error(`an unfinished run is in ${path}: continue it with --resume, or delete the file to start afresh`);
      const lines = readFileSync(path, 'utf8').split('\n');
      const header = HeaderSchema.safeParse(safeJson(lines[0] ?? ''));
      if (!header.success) throw new Error(`cannot --resume: ${path} does not start with a quality-partial/1 header`);
      const diffs = Object.keys({ ...options, ...header.data.options }).filter((k) => JSON.stringify(options[k]) !== JSON.stringify(header.data.options[k]));
      if (diffs.length) {
        const show = diffs.map((k) => `${k}: ${JSON.stringify(header.data.options[k])} in the partial run, ${JSON.stringify(options[k])} now`).join('; ');
        throw new Error(
          `cannot --resume ${path}: its options differ (${show}). Run with the same options, or delete the file (or use another --out) to start afresh`,
        );
      }
      lines.slice(1).forEach((line, i) => {
        if (!line.trim()) return;
        const rec = RecordSchema.safeParse(safeJson(line));
        // An interrupted append leaves at most the last line cut short: drop it, the run is done again.
        if (!rec.success) {
          if (lines.slice(i + 2).every((l) => !l.trim())) return;
          throw new Error(`cannot --resume: line ${i + 2} of ${path} is not a run record`);
        }
        p.done.set(key(rec.data.method, rec.data.curve.task, rec.data.curve.seed), rec.data);
      });
      // Rewrite it clean (without a cut-short last line) before appending to it.
      writeFileSync(path, [JSON.stringify(header.data), ...[...p.done.values()].map((r) => JSON.stringify(r))].map((l) => `${l}\n`).join(''));
      log(`resuming ${path}: ${p.done.size} run(s) already done`);
    } else {
      if (resume) log(`--resume: no unfinished run in ${path}, starting afresh`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ format: 'quality-partial/1', options })}\n`);
    }
    return p;
  }

  get size(): number {
    return this.done.size;
  }

  get(method: string, task: string, seed: number): PartialRecord | undefined {
    return this.done.get(key(method, task, seed));
  }

  add(method: string, curve: Curve, seconds: number): void {
    const rec = { method, curve, seconds };
    this.done.set(key(method, curve.task, curve.seed), rec);
    appendFileSync(this.path, `${JSON.stringify(rec)}\n`);
  }

  /** Removes a partial file (the run it belonged to is complete). */
  static discard(path: string): void {
    rmSync(path, { force: true });
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
