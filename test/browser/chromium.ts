// Finds the system Chromium for the real-browser test, installing Debian's package when it is missing
// and we may (root, apt-get present). Playwright never downloads a browser here: it drives this one.
import { existsSync } from 'node:fs';
import { aptInstall, mayApt } from '../support/apt.ts';

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

/**
 * Installs `chromium` with apt when it is missing. Bounded: package lists are refreshed only if the
 * first attempt fails (stale or never fetched), and each apt call has its own time limit.
 */
export function ensureChromium(opts: { timeoutMs?: number } = {}): ChromiumLookup {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM, installedNow: false };
  if (!mayApt()) return { path: null, reason: `${CHROMIUM} is missing and installing it needs root and apt-get (apt-get install -y chromium)` };
  const r = aptInstall(['chromium'], 'browser test', opts.timeoutMs);
  if (!r.ok || !existsSync(CHROMIUM)) return { path: null, reason: `apt-get install chromium failed: ${r.output}` };
  return { path: CHROMIUM, installedNow: true };
}
