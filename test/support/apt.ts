// Debian packages the tests need on a fresh machine (Chromium, Python's Optuna), installed with apt
// when they are missing and we may. Test files run in parallel, so each apt call waits for another's
// dpkg lock instead of failing on it.
import { spawnSync } from 'node:child_process';

export function mayApt(): boolean {
  return (
    process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0
  );
}

function apt(args: string[], timeoutMs: number): { ok: boolean; output: string } {
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const output = `${r.error?.message ?? ''} ${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return { ok: !r.error && r.status === 0, output };
}

/**
 * `apt-get install -y --no-install-recommends <packages>`; package lists are refreshed only when the
 * first attempt fails (stale or never fetched). `who` prefixes the one line it prints.
 */
export function aptInstall(packages: string[], who: string, timeoutMs = 600_000): { ok: boolean; output: string } {
  console.log(`[${who}] apt-get install -y ${packages.join(' ')}`);
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  let r = apt(install, timeoutMs);
  if (!r.ok) {
    const update = apt(['update'], 300_000);
    if (!update.ok) return { ok: false, output: `apt-get update failed: ${update.output}` };
    r = apt(install, timeoutMs);
  }
  return r;
}
