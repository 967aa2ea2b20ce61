// What a results file records about where it was made: the commit (dirty or not), Node, Optuna when it
// ran, the machine, the command and the wall time. Figures are only comparable with this next to them.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import type { Environment } from './schema.ts';

/** `git rev-parse HEAD`, "+dirty" when `git status --porcelain` lists anything; null outside a checkout. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // --no-optional-locks: never refresh the index, so a benchmark does not write to .git while others use it.
    const status = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return status.trim() ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** Optuna's installed version for the given Python (from its package metadata: no slow import), or undefined. */
export function optunaVersion(python: string): string | undefined {
  const r = spawnSync(python, ['-c', "import importlib.metadata as m; print(m.version('optuna'))"], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function machine(): Environment['machine'] {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10 };
}

/** The environment at the start of a run; `finish` fills in the wall time and end. */
export function startEnvironment(command: string, python: string | null): { finish(resumed: { runs: number; seconds: number }): Environment } {
  const started = new Date();
  const t0 = performance.now();
  const base = {
    commit: gitCommit(),
    node: process.version,
    ...(python ? { optuna: optunaVersion(python) } : {}),
    machine: machine(),
    command,
  };
  return {
    finish: (resumed) => ({
      ...base,
      wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
      resumedRuns: resumed.runs,
      resumedSeconds: Math.round(resumed.seconds * 10) / 10,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
    }),
  };
}

/** One line for summary.md. */
export function environmentLine(e: Environment | undefined): string {
  if (!e) return '';
  const resumed = e.resumedRuns ? `; ${e.resumedRuns} run(s) (${formatDuration(e.resumedSeconds)}) resumed from an earlier invocation` : '';
  return `Commit ${e.commit ?? 'unknown'}, Node ${e.node}${e.optuna ? `, Optuna ${e.optuna}` : ''}, ${e.machine.cpus} × ${e.machine.model} (${e.machine.memoryGiB} GiB); wall time ${formatDuration(e.wallSeconds)}${resumed}; ${e.startedAt} → ${e.finishedAt}.`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
