// The dashboard in a real browser: headless Chromium (Debian's, installed when missing and root, as
// test/browser/ does) driven by playwright-core against the service in-process on the test Neo4j with
// the demo knowledge base. A refused key and its message; log in; the list; the demo's warm-started
// experiment with marks in every chart (Vega renders them as SVG: each layer of marks is a group with
// the class `<layer>_marks`, see ui/js/charts.js); a click on a point of the history or of a slice plot
// opens that trial's "why", with its priors, source trial and Browser link; a prior's link; a running
// experiment that updates while the page is open; and the page load time of an experiment with 2,000
// trials. No script error, console error or Content-Security-Policy violation on the way. Screenshots go
// to test-output/ui-*.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../browser/chromium.ts';
import { type DashboardTestApp, dashboardApp } from './app.ts';

const found = ensureChromium();
if (found.path === null) console.warn(`[dashboard test] skipped: ${found.reason}`);

const OUT = join(REPO_ROOT, 'test-output');
const ROUNDS = 9;
/** expect.poll's own default (1 s) is shorter than a first query on a fresh Neo4j. */
const poll = <T>(fn: () => Promise<T> | T, timeout = 15_000) => expect.poll(fn, { timeout });
/** The data marks a chart drew, by layer name: Vega draws points, lines and bars as <path>, rules as <line>. */
const marks = (page: Page, chart: string, layers: string[], element = 'path') =>
  page.locator(`[data-chart="${chart}"] :is(${layers.map((l) => `.${l}_marks`).join(', ')}) > ${element}`);
const HISTORY = ['trials', 'invalid', 'failed'];
/** Every chart on the page is drawn (Vega renders asynchronously; a chart is aria-busy until it is). */
const drawn = (page: Page) => page.locator('.chart[aria-busy]').count();

describe.skipIf(!found.path)('the dashboard in Chromium', () => {
  const neo4j = inject('neo4j');
  let t: DashboardTestApp;
  let browser: Browser;
  let page: Page;
  let live: { experimentId: string; datasetId: string };
  const problems: string[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      dashboardApp({
        priors: 3,
        rounds: ROUNDS,
        ui: { pollSeconds: 1, neo4jBrowserUrl: neo4j.httpPort ? `http://127.0.0.1:${neo4j.httpPort}/browser/` : null },
      }),
      chromium.launch({ executablePath: found.path!, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
    await t.listen();
    // A running experiment of another model, with a person's results, a failure and a learning curve.
    const ds = await t.call('POST', '/v1/datasets', { name: 'live-data', metaFeatures: { rows: 100 } });
    const exp = await t.call('POST', '/v1/experiments', {
      name: 'live quadratic',
      datasetId: ds.body.id,
      model: { name: 'quadratic' },
      searchSpace: [
        { name: 'x', type: 'float', low: -1, high: 1 },
        { name: 'k', type: 'categorical', choices: ['a', 'b'] },
      ],
      objective: { metric: 'loss', direction: 'minimize' },
      warmStart: { mode: 'off' },
    });
    live = { experimentId: exp.body.id, datasetId: ds.body.id };
    for (const [x, k] of [
      [0.5, 'a'],
      [-0.2, 'b'],
    ] as const)
      await t.call('POST', `/v1/experiments/${live.experimentId}/trials`, { config: { x, k }, value: x * x, user: 'ana', reason: 'from last week' });
    await t.call('POST', `/v1/experiments/${live.experimentId}/trials`, { config: { x: 0.9, k: 'a' }, failed: true, failReason: 'out of memory' });
    const running = await t.call('POST', `/v1/experiments/${live.experimentId}/trials`, { config: { x: 0.1, k: 'b' } });
    for (const [step, value] of [
      [1, 0.5],
      [2, 0.2],
      [3, 0.05],
    ])
      await t.call('POST', `/v1/trials/${running.body.id}/report`, { step, value });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    // Script errors and Content-Security-Policy violations fail the test; the 401s of the login are expected.
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    // Chromium does not report CSP violations as console messages: the page's own event does (the charts
    // would need 'unsafe-eval' if Vega compiled its expressions instead of interpreting them).
    await page.addInitScript(() => {
      (globalThis as any).document.addEventListener('securitypolicyviolation', (e: any) =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    mkdirSync(OUT, { recursive: true });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Runs `body`; on failure saves a screenshot of the page first. */
  async function shot<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      await page.screenshot({ path: join(OUT, `ui-${name}-failure.png`), fullPage: true }).catch(() => {});
      throw err;
    }
  }

  it('refuses an unknown key with a message that says what to do, then logs in', async () => {
    await shot('login', async () => {
      await page.goto(`${t.url}/ui`);
      await page.locator('#api-key').fill('prc_not-a-key');
      await page.getByRole('button', { name: 'Log in' }).click();
      await poll(() => page.getByTestId('login-message').textContent()).toContain('401 Unauthorized');
      expect(await page.getByTestId('login-message').textContent()).toContain('npm run keys -- create --project');
      expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('precedent.apiKey'))).toBeNull();

      await page.locator('#api-key').fill(t.key);
      await page.getByRole('button', { name: 'Log in' }).click();
      const rows = page.locator('[data-testid="experiments"] tbody tr');
      await poll(() => rows.count()).toBe(3 + 1 + 1);
      expect(await page.evaluate(() => [(globalThis as any).sessionStorage.getItem('precedent.apiKey'), (globalThis as any).localStorage.length])).toEqual([
        t.key,
        0,
      ]);
      const warmRow = rows.filter({ hasText: 'svm on australian (warm-started)' });
      expect(await warmRow.textContent()).toContain('3 priors');
      await page.screenshot({ path: join(OUT, 'ui-experiments.png'), fullPage: true });
      // The name filter narrows the list as one types, and keeps the cursor.
      await page.locator('#filter-name').fill('australian');
      await poll(() => rows.count()).toBe(1);
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('filter-name');
      expect(page.url()).toContain('name=australian');
    });
  });

  it("shows the warm-started experiment: every chart has marks, a trial's why has its priors and source, a prior's link opens it", async () => {
    await shot('experiment', async () => {
      await page.getByRole('link', { name: 'svm on australian (warm-started)' }).click();
      await page.getByTestId('experiment-name').waitFor();
      await poll(() => drawn(page)).toBe(0);
      const count = (chart: string, layers: string[], element?: string) => marks(page, chart, layers, element).count();
      expect(await count('history', HISTORY)).toBe(ROUNDS);
      expect(await count('warm-start', ['target'])).toBe(1);
      expect(await count('warm-start', ['target_points'])).toBeGreaterThan(0);
      expect(await count('warm-start', ['prior'])).toBe(3);
      expect(await count('warm-start', ['cold'])).toBe(1);
      expect(await count('importance', ['bars'])).toBe(4);
      expect(await page.locator('[data-chart="slice"]').count()).toBe(4);
      expect(await page.locator('[data-chart="slice"][data-param="C"] .points_marks > path').count()).toBe(ROUNDS);
      expect(await page.locator('#intermediate').isHidden()).toBe(true);
      // Marks with data: each trial's point has its number, value and configuration as its label (and
      // tooltip); the parallel coordinates draw each trial as segments between neighbouring axes.
      const labels = async (chart: string, layers: string[], element?: string) =>
        (await marks(page, chart, layers, element).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))) as string[];
      const trialsOf = (ls: string[]) => new Set(ls.map((l) => /^#(\d+)/.exec(l)?.[1]).filter(Boolean)).size;
      expect(trialsOf(await labels('history', HISTORY))).toBe(ROUNDS);
      for (const l of await labels('history', HISTORY)) expect(l).toMatch(/^#\d+ \S+: \S+\n\w+=/);
      expect(trialsOf(await labels('parallel', ['lines'], 'line'))).toBe(ROUNDS);
      expect(await page.locator('[data-chart="history"] path[d]').count()).toBeGreaterThan(ROUNDS);
      // Titles and readable axes: each chart is named for assistive technology, its axes titled.
      expect(await page.locator('[data-chart="history"]').getAttribute('aria-label')).toMatch(/^Optimisation history of \S+\. 9 completed trial/);
      expect(await page.locator('[data-chart="history"] .role-axis-title').allTextContents()).toEqual(
        expect.arrayContaining(['trial number', expect.stringMatching(/is better\)$/)]),
      );
      expect(await page.locator('[data-chart="importance"] .role-axis-label > text').allTextContents()).toEqual(expect.arrayContaining(['0%', '100%']));
      for (const chart of await page.locator('.chart').all()) expect(await chart.getAttribute('aria-label')).toMatch(/\. /);
      expect(await page.locator('[data-testid="priors"] tbody tr').count()).toBe(3);
      expect(await page.locator('#history .legend').textContent()).toContain('warm start');
      expect(await page.locator('#history .legend').textContent()).toContain('transfer-BO');
      await poll(() => page.locator('[data-testid="similar"] tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="trials"] tbody tr').count()).toBe(ROUNDS);
      await page.screenshot({ path: join(OUT, 'ui-experiment.png'), fullPage: true });

      // A point of the history: its tooltip, and a click opens its trial's why (through Vega's view API).
      const point = marks(page, 'history', ['trials']).last();
      const pointNumber = /^#(\d+)/.exec((await point.getAttribute('aria-label'))!)![1]!;
      await point.hover();
      await poll(() => page.locator('[data-chart="history"]').getAttribute('title')).toMatch(new RegExp(`^#${pointNumber} `));
      await point.click();
      await poll(() => page.url()).toMatch(new RegExp(`#/experiments/[0-9a-f-]+/trials/${pointNumber}$`));
      await poll(() => page.getByTestId('why').textContent()).toContain(`Why trial #${pointNumber}`);
      await page.keyboard.press('Escape');
      await poll(() => page.getByTestId('why').isHidden()).toBe(true);
      // A point of a slice plot (dispatched to the point itself: in a small plot another may cover it).
      const slicePoint = page.locator('[data-chart="slice"][data-param="C"] .points_marks > path').first();
      const sliceNumber = /^#(\d+)/.exec((await slicePoint.getAttribute('aria-label'))!)![1]!;
      await slicePoint.dispatchEvent('click');
      await poll(() => page.url()).toMatch(new RegExp(`/trials/${sliceNumber}$`));
      await poll(() => page.getByTestId('why').textContent()).toContain(`Why trial #${sliceNumber}`);
      await page.keyboard.press('Escape');
      await poll(() => page.getByTestId('why').isHidden()).toBe(true);

      // Trial #0 is a portfolio pick: its priors, and the prior trial it was taken from.
      await page.locator('[data-testid="trials"] tr[data-trial="0"] button.why-button').click();
      const why = page.getByTestId('why');
      await why.locator('[data-testid="why-priors"]').waitFor();
      expect(page.url()).toMatch(/#\/experiments\/[0-9a-f-]+\/trials\/0$/);
      expect(await why.textContent()).toContain('portfolio');
      expect(await why.locator('[data-testid="why-priors"] tbody tr').count()).toBeGreaterThan(0);
      expect(await why.getByTestId('why-source').textContent()).toMatch(/Trial #\d+ of svm on /);
      const href = (await why.getByTestId('browser-link').getAttribute('href'))!;
      const link = new URL(href);
      expect(link.searchParams.get('cmd')).toBe('edit');
      expect(link.searchParams.get('arg')).toContain('SUGGESTED_FROM');
      await page.screenshot({ path: join(OUT, 'ui-why.png') });
      if (neo4j.httpPort) {
        // Neo4j Browser 5 puts the query in its editor (it runs when the person presses ▶, once logged in).
        expect(link.port).toBe(String(neo4j.httpPort));
        const trialId = /Trial \{id: '([0-9a-f-]+)'\}/.exec(link.searchParams.get('arg')!)![1]!;
        const neo4jBrowser = await browser.newPage({ viewport: { width: 1300, height: 800 } });
        try {
          await neo4jBrowser.goto(href);
          await poll(() => neo4jBrowser.locator('#monaco-main-editor').textContent(), 30_000).toContain(trialId);
        } finally {
          await neo4jBrowser.close();
        }
      }

      // Follow the first prior: its own page.
      const prior = why.locator('[data-testid="why-priors"] a.prior-link').first();
      const priorName = (await prior.textContent())!;
      await prior.click();
      await poll(() => page.getByTestId('experiment-name').textContent()).toBe(priorName);
      expect(await page.getByTestId('why').isHidden()).toBe(true);
      await poll(() => marks(page, 'history', HISTORY).count()).toBe(48);
      expect(problems).toEqual([]);

      // The prior's dataset: the experiments most similar to it, with what made them similar.
      await page.locator('dl.facts a[href^="#/datasets/"]').click();
      // The experiment page has a similar-experiments table too: wait for the dataset page first.
      await poll(() => page.locator('main h1').textContent()).toMatch(/^Experiments similar to dataset \S+/);
      await poll(() => page.locator('[data-testid="similar"] tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="similar"]').textContent()).toContain('meta-features');
      await page.screenshot({ path: join(OUT, 'ui-dataset-similar.png') });
    });
  });

  it('updates a running experiment while it is open, without reloading the page', async () => {
    await shot('live', async () => {
      await page.goto(`${t.url}/ui/#/experiments/${live.experimentId}`);
      await page.getByTestId('experiment-name').waitFor();
      await poll(() => drawn(page)).toBe(0);
      await page.evaluate(() => {
        (globalThis as any).stillTheSamePage = true;
      });
      const history = marks(page, 'history', HISTORY);
      expect(await history.count()).toBe(2 + 1); // two results and the failure
      expect(await marks(page, 'history', ['failed']).count()).toBe(1);
      expect(await marks(page, 'intermediate', ['curves']).count()).toBe(1);
      expect(await page.getByTestId('live').textContent()).toContain('Live');
      expect(await page.locator('#warm').textContent()).toContain('Warm start is off');

      await t.call('POST', `/v1/experiments/${live.experimentId}/trials`, { config: { x: 0.05, k: 'a' }, value: 0.0025 });
      await poll(() => history.count(), 10_000).toBe(4);
      expect(await page.evaluate(() => (globalThis as any).stillTheSamePage)).toBe(true);
      // The charts drawn before were replaced, not added to.
      expect(await page.locator('[data-chart="history"]').count()).toBe(1);
      expect(await page.locator('[data-chart="history"] svg').count()).toBe(1);
      await page.screenshot({ path: join(OUT, 'ui-live.png'), fullPage: true });

      // A key that stops working while the page is open: back to the login, saying why.
      await page.evaluate(() => (globalThis as any).sessionStorage.setItem('precedent.apiKey', 'prc_revoked-meanwhile'));
      await poll(() => page.getByTestId('login-message').textContent(), 10_000).toContain('401 Unauthorized');
      expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('precedent.apiKey'))).toBeNull();
    });
  });

  it('loads an experiment of 2,000 trials in a few seconds', async () => {
    await shot('large', async () => {
      const n = 2000;
      const line = {
        format: 'precedent.experiment/1',
        dataset: { name: 'large', metaFeatures: { rows: 1e6 } },
        experiment: {
          name: 'large (2,000 trials)',
          model: { name: 'gbm' },
          seed: 1,
          status: 'running',
          objective: { metric: 'rmse', direction: 'minimize' },
          searchSpace: [
            { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
            { name: 'depth', type: 'int', low: 2, high: 12 },
            { name: 'subsample', type: 'float', low: 0.5, high: 1 },
            { name: 'booster', type: 'categorical', choices: ['gbtree', 'dart'] },
            { name: 'rate_drop', type: 'float', low: 0, high: 0.5, condition: { parent: 'booster', values: ['dart'] } },
          ],
        },
        trials: Array.from({ length: n }, (_, i) => {
          const u = (k: number) => (((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1) + 1) % 1;
          const booster = u(4) < 0.5 ? 'gbtree' : 'dart';
          const config = {
            lr: 10 ** (-4 + 4 * u(1)),
            depth: 2 + Math.floor(u(2) * 11),
            subsample: 0.5 + 0.5 * u(3),
            booster,
            rate_drop: booster === 'dart' ? 0.5 * u(5) : null,
          };
          const failed = i % 97 === 13;
          return {
            number: i,
            state: failed ? 'failed' : 'completed',
            config,
            value: failed ? null : (Math.log10(config.lr) + 2) ** 2 + 0.1 * u(6),
            strategy: i < 20 ? 'sobol' : 'gp-bo',
            proposedBy: 'optimizer',
            durationSeconds: 10 + 50 * u(7),
            intermediate: i % 100 === 0 ? [1, 2, 3, 4].map((step) => ({ step, value: 1 / step + u(8) })) : [],
          };
        }),
      };
      const imported = await t.app.inject({
        method: 'POST',
        url: '/v1/import',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(line)}\n`,
      });
      expect(imported.statusCode, imported.body).toBeLessThan(300);
      const id = imported.json().experiments[0].experimentId;
      await t.call('GET', `/v1/experiments/${id}/dashboard`);
      const api0 = performance.now();
      const res = await t.call('GET', `/v1/experiments/${id}/dashboard`);
      const apiMs = performance.now() - api0;
      expect(res.body.trials).toHaveLength(n);
      expect(res.body.importance.parameters[0].name).toBe('lr');

      /** From navigation until every chart and the table are drawn. */
      const load = async () => {
        await page.goto('about:blank');
        const t0 = performance.now();
        await page.goto(`${t.url}/ui/#/experiments/${id}`);
        await page.locator('[data-chart="parallel"]').waitFor();
        await page.waitForFunction(() => {
          const doc = (globalThis as any).document;
          return doc.querySelectorAll('.chart').length > 0 && !doc.querySelector('.chart[aria-busy]') && doc.querySelector('[data-testid="trials"] tbody tr');
        });
        return performance.now() - t0;
      };
      await page.goto(`${t.url}/ui/`);
      await page.locator('#api-key').fill(t.key);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('[data-testid="experiments"]').waitFor();
      const firstMs = await load();
      const loadMs = await load();
      expect(await marks(page, 'history', HISTORY).count()).toBe(n);
      expect(await marks(page, 'slice', ['points']).count()).toBeGreaterThan(4 * (n - 30));
      await page.screenshot({ path: join(OUT, 'ui-large.png') });
      const bytes = JSON.stringify(res.body).length;
      console.log(
        `[dashboard] experiment of ${n} trials: GET /v1/experiments/{id}/dashboard ${apiMs.toFixed(0)} ms (${(bytes / 1024).toFixed(0)} KiB of JSON); ` +
          `page load to every chart and the table drawn ${loadMs.toFixed(0)} ms (headless Chromium; the first load ${firstMs.toFixed(0)} ms)`,
      );
      expect(problems).toEqual([]);
      expect(firstMs).toBeLessThan(15_000);
      expect(loadMs).toBeLessThan(10_000);
    });
  }, 60_000);
});
