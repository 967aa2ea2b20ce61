// Finds Debian's Firefox ESR for the dashboard's Firefox test, installing it when it is missing and we
// may (root, apt-get). Puppeteer drives it over WebDriver BiDi, which stock Firefox speaks; Playwright's
// Firefox would need a patched build that has to be downloaded.
import { existsSync } from 'node:fs';
import { aptInstall, mayApt } from '../support/apt.ts';

export const FIREFOX = '/usr/bin/firefox-esr';

export function ensureFirefox(): { path: string } | { path: null; reason: string } {
  if (existsSync(FIREFOX)) return { path: FIREFOX };
  if (!mayApt()) return { path: null, reason: `${FIREFOX} is missing and installing it needs root and apt-get (apt-get install -y firefox-esr)` };
  const r = aptInstall(['firefox-esr'], 'browser test');
  if (!r.ok || !existsSync(FIREFOX)) return { path: null, reason: `apt-get install firefox-esr failed: ${r.output}` };
  return { path: FIREFOX };
}
