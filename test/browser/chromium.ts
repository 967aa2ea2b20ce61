// Finds the system Chromium for the real-browser test, installing Debian's package when it is missing
// and we may (root, apt-get present). Playwright never downloads a browser here: it drives this one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless run in a container without a user namespace sandbox. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export type ChromiumLookup = { path: string; installedNow: boolean } | { path: null; reason: string };

function apt(args: string[], timeoutMs: number): { ok: boolean; output: string } {
  const r = spawnSync('apt-get', args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  if (r.error) return { ok: false, output: `${r.error.message} ${output}` };
  return { ok: r.status === 0, output };
}

/**
 * Installs `chromium` with apt when it is missing. Bounded: package lists are refreshed only if the
 * first attempt fails (stale or never fetched), and each apt call has its own time limit.
 */
export function ensureChromium(opts: { timeoutMs?: number } = {}): ChromiumLookup {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM, installedNow: false };
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { path: null, reason: `${CHROMIUM} is missing and installing it needs root (apt-get install -y chromium)` };
  }
  const which = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (which.status !== 0) return { path: null, reason: `${CHROMIUM} is missing and there is no apt-get to install it` };
  const timeout = opts.timeoutMs ?? 300_000;
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  console.log('[browser test] installing Chromium (apt-get install -y chromium)...');
  let r = apt(install, timeout);
  if (!r.ok) {
    const update = apt(['update'], 120_000);
    if (!update.ok) return { path: null, reason: `apt-get update failed: ${update.output}` };
    r = apt(install, timeout);
  }
  if (!r.ok || !existsSync(CHROMIUM)) return { path: null, reason: `apt-get install chromium failed: ${r.output}` };
  return { path: CHROMIUM, installedNow: true };
}
