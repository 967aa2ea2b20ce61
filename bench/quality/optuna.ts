// Optuna's TPE sampler (Bergstra et al. 2011) as an external baseline, driven over the JSON-lines protocol
// of bench/optuna_tpe.py. The runner installs nothing: when no Python can import optuna, the Optuna
// methods are skipped with the install hint.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { metaFeatureSimilarities, type Config } from '../../optimizers/index.ts';
import { RowSnapper } from '../tabular/task.ts';
import type { Method, RunContext } from './method.ts';

export const OPTUNA_INSTALL_HINT = 'apt-get install python3-optuna   (Debian/Ubuntu; or: pip install optuna)';
const SCRIPT = fileURLToPath(new URL('../optuna_tpe.py', import.meta.url));

/** First Python that can import optuna: $PRECEDENT_PYTHON, python3 on PATH, then the system one (a pyenv or
 * venv python3 earlier on PATH does not see Debian's dist-packages). */
export function findOptunaPython(): string | null {
  const candidates = [process.env.PRECEDENT_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import optuna'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** One long-lived Python process (a bench/optuna_*.py script) serving many studies, one JSON-lines request at
 * a time. `onStderr` gets what the script writes to stderr (warnings), line by line. */
export class JsonLinesProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private readonly name: string;
  private stderr = '';

  constructor(python: string, script: string, onStderr?: (line: string) => void) {
    this.name = basename(script);
    this.proc = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    if (onStderr) createInterface({ input: this.proc.stderr }).on('line', onStderr);
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async call(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`${this.name} exited: ${this.stderr}`);
    const answer = JSON.parse(next.value) as Record<string, unknown>;
    if (typeof answer.error === 'string') throw new Error(`${this.name}: ${answer.error}`);
    return answer;
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

/**
 * Configs to enqueue for the warm variant: the best drawn config of each prior, priors by decreasing
 * meta-feature similarity (MI-SMBO, Feurer et al. 2015), distinct configs, as many as our design's
 * default size. Without meta-features the priors keep suite order (no similarity to go by).
 */
export function warmConfigs(ctx: RunContext, count: number): Config[] {
  const sims = metaFeatureSimilarities(
    ctx.metaFeatures ?? undefined,
    ctx.priors.map((p) => ({ id: p.id, metaFeatures: p.metaFeatures ?? undefined })),
  );
  const order = ctx.priors
    .map((p, i) => ({ p, i, s: sims.get(p.id)?.similarity ?? 0 }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.p);
  const sign = ctx.table.suite.objective.direction === 'maximize' ? 1 : -1;
  const out: Config[] = [];
  const seen = new Set<string>();
  for (const p of order) {
    if (out.length >= count) break;
    let best: { config: Config; score: number } | undefined;
    for (const o of p.observations) {
      const score = typeof o.value === 'number' ? sign * o.value : -Infinity;
      if (!best || score > best.score) best = { config: o.config, score };
    }
    const key = JSON.stringify(best?.config);
    if (best && Number.isFinite(best.score) && !seen.has(key)) {
      seen.add(key);
      out.push(best.config);
    }
  }
  return out;
}

export function optunaMethods(python: string, warmCount: number): { tpe: Method; tpeWarm: Method; close: () => Promise<void> } {
  const client = new JsonLinesProcess(python, SCRIPT);
  let studies = 0;
  const make = (name: string, warm: boolean): Method => ({
    name,
    run: async (ctx) => {
      const study = `s${++studies}`;
      const snapper = new RowSnapper(ctx.table);
      const enqueue = warm ? warmConfigs(ctx, warmCount) : [];
      await client.call({ op: 'create', study, space: ctx.table.suite.searchSpace, direction: ctx.table.suite.objective.direction, seed: ctx.seed, enqueue });
      const evaluated = new Set<number>();
      const rows: number[] = [];
      const budget = Math.min(ctx.budget, ctx.table.configs.length);
      while (rows.length < budget) {
        const asked = await client.call({ op: 'ask', study });
        const row = snapper.nearest(asked.params as Config, evaluated);
        evaluated.add(row);
        rows.push(row);
        const config = ctx.table.configs[row]!;
        const params = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null));
        await client.call({ op: 'tell', study, number: asked.number, params, value: ctx.table.task.values[row] });
      }
      await client.call({ op: 'drop', study });
      return rows;
    },
  });
  return { tpe: make('optuna-tpe', false), tpeWarm: make('optuna-tpe-warm', true), close: () => client.close() };
}
