// The dashboard in Firefox (Debian's ESR, installed when missing and root), driven by puppeteer-core over
// WebDriver BiDi, against the service in-process with the demo knowledge base: log in, open the
// warm-started experiment, every chart drew its marks, a trial's "why" opens; no script error on the way.
// The Chromium test (dashboard.e2e.test.ts) covers the rest of the behaviour; this one is the second engine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { ensureFirefox } from '../browser/firefox.ts';
import { type DashboardTestApp, dashboardApp } from './app.ts';

const found = ensureFirefox();
if (found.path === null) console.warn(`[dashboard firefox test] skipped: ${found.reason}`);

const OUT = join(REPO_ROOT, 'test-output');
const ROUNDS = 9;
/** Data marks of a chart's layers (Vega draws points, lines and bars as <path>). */
/**
 * Polls `check` from here until it holds: page.waitForFunction and waitForSelector poll with Function(),
 * which the dashboard's Content-Security-Policy (rightly) blocks.
 */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const countMarks = (page: Page, chart: string, layers: string[]) =>
  page.$$eval(`[data-chart="${chart}"] :is(${layers.map((l) => `.${l}_marks`).join(', ')}) > path`, (els) => els.length);

describe.skipIf(!found.path)('the dashboard in Firefox', () => {
  let t: DashboardTestApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      dashboardApp({ priors: 3, rounds: ROUNDS }),
      // The window's size, not setViewport: Firefox ESR 140's BiDi lacks the screen-orientation command it sends.
      puppeteer.launch({
        browser: 'firefox',
        executablePath: found.path!,
        headless: true,
        timeout: 60_000,
        defaultViewport: null,
        args: ['--width=1360', '--height=900'],
      }),
    ]);
    await t.listen();
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => problems.push(`page error: ${(err as Error).message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    mkdirSync(OUT, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in, draws every chart of the warm-started experiment, and opens a trial’s why', async () => {
    await page.goto(`${t.url}/ui/`);
    await page.type('#api-key', t.key);
    await page.click('button[type="submit"]');
    await until(
      async () => (await page.$$('[data-testid="experiments"] tbody tr')).length === 3 + 1,
      'the experiments list (3 priors and the warm-started one)',
    );
    const links = await page.$$('[data-testid="experiments"] tbody a');
    const names = await Promise.all(links.map((a) => a.evaluate((el) => el.textContent)));
    await links[names.indexOf('svm on australian (warm-started)')]!.click();
    await until(async () => (await page.$('[data-testid="experiment-name"]')) !== null, '[data-testid="experiment-name"]');
    // Vega renders asynchronously; a chart is aria-busy until it has drawn.
    await until(async () => (await page.$$('.chart')).length > 0 && (await page.$$('.chart[aria-busy]')).length === 0, 'every chart drawn');
    expect(await countMarks(page, 'history', ['trials', 'invalid', 'failed'])).toBe(ROUNDS);
    expect(await countMarks(page, 'warm-start', ['prior'])).toBe(3);
    expect(await countMarks(page, 'warm-start', ['target'])).toBe(1);
    expect(await countMarks(page, 'importance', ['bars'])).toBe(4);
    expect(await page.$$eval('[data-chart="slice"]', (els) => els.length)).toBe(4);
    expect(await page.$$eval('[data-chart="slice"][data-param="C"] .points_marks > path', (els) => els.length)).toBe(ROUNDS);
    await page.screenshot({ path: join(OUT, 'ui-experiment-firefox.png'), fullPage: true });

    await page.click('[data-testid="trials"] tr[data-trial="0"] button.why-button');
    await until(async () => (await page.$('[data-testid="why-priors"]')) !== null, '[data-testid="why-priors"]');
    const why = await page.$eval('[data-testid="why"]', (el) => el.textContent ?? '');
    expect(why).toContain('Why trial #0');
    expect(why).toContain('portfolio');
    expect(problems).toEqual([]);
  }, 180_000);
});
