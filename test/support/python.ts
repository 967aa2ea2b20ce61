// The Python the tests run the client and Optuna with: one that imports Optuna if there is one (PATH's
// python3 may be a pyenv build without it; Debian's python3-optuna installs for /usr/bin/python3),
// installing Debian's package when it is missing and we may.
import { spawnSync } from 'node:child_process';
import { aptInstall, mayApt } from './apt.ts';

const MIN_PYTHON: [number, number] = [3, 9];

export type PythonProbe = { path: string; version: string; major: number; minor: number; optuna: string | null };

function probe(python: string): PythonProbe | null {
  const code =
    'import json, sys\ntry:\n import optuna; v = optuna.__version__\nexcept Exception:\n v = None\nprint(json.dumps([sys.executable, sys.version.split()[0], sys.version_info[0], sys.version_info[1], v]))';
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return null;
  try {
    const [path, version, major, minor, optuna] = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    return { path, version, major, minor, optuna };
  } catch {
    return null;
  }
}

function usable(): PythonProbe[] {
  const candidates = [process.env.PRECEDENT_TEST_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const out: PythonProbe[] = [];
  for (const c of candidates) {
    const p = probe(c);
    if (!p || out.some((o) => o.path === p.path)) continue;
    if (p.major < MIN_PYTHON[0] || (p.major === MIN_PYTHON[0] && p.minor < MIN_PYTHON[1])) continue;
    out.push(p);
  }
  return out;
}

/** A Python ≥ 3.9, preferably one with Optuna (installed now when missing and we may); notes say why not. */
export function ensureOptunaPython(): { python: PythonProbe | null; notes: string[] } {
  const notes: string[] = [];
  let found = usable();
  const withOptuna = found.find((p) => p.optuna);
  if (withOptuna) return { python: withOptuna, notes };
  if (mayApt()) {
    const r = aptInstall(found.length ? ['python3-optuna', 'python3-venv'] : ['python3', 'python3-venv', 'python3-pip', 'python3-optuna'], 'python');
    if (!r.ok) notes.push(`apt-get install python3-optuna failed: ${r.output}`);
    found = usable();
    const now = found.find((p) => p.optuna);
    if (now) return { python: now, notes };
  } else {
    notes.push('python3-optuna is missing and installing it needs root and apt-get (apt-get install -y python3-optuna)');
  }
  return { python: found[0] ?? null, notes };
}
