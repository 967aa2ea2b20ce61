// Neo4j Browser, for real: headless Chromium opens the Browser the test Neo4j serves, logs in, plays
// the service's guide (a cross-origin fetch the server's allowlist and our CORS headers must both
// permit), applies the service's style sheet and runs the guide's first query on demo data.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadQueries } from '../../graph/browser/guide.ts';
import { buildApp } from '../../src/app.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { loadDemo, type DemoResult } from '../../src/demo.ts';
import { testGraph } from '../support/graph.ts';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts';

const neo4j = inject('neo4j');
// Decided while the file is collected, so a skip is reported with its reason rather than as a failure.
const found = neo4j.httpPort
  ? ensureChromium()
  : { path: null, reason: 'the test Neo4j is an external server (PRECEDENT_TEST_NEO4J_URI), so there is no Browser on a known port' };
if (found.path === null) console.warn(`[browser test] skipped: ${found.reason}`);

const OUT = join(REPO_ROOT, 'test-output');
/** The Experiment colour the style sheet sets: seeing it on a drawn node proves `:style` was applied. */
const EXPERIMENT_COLOUR = /node\.Experiment\s*\{[^}]*?\bcolor:\s*(#[0-9A-Fa-f]{6})/.exec(
  readFileSync(join(REPO_ROOT, 'graph', 'browser', 'style.grass'), 'utf8'),
)![1]!;
const ROUNDS = 4;

describe.skipIf(!found.path)('Neo4j Browser with the guide, the style sheet and demo data', () => {
  const project = `test-browser-${randomUUID()}`;
  const graph = testGraph();
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let demo: DemoResult;
  let serviceUrl: string;

  beforeAll(async () => {
    app = await buildApp({ graph, logger: { level: 'error' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    serviceUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // A smaller demo than `npm run demo`, in a project of its own: enough for provenance, quick to load.
    [demo, browser] = await Promise.all([
      loadDemo(graph, { project, scope: 'project', priors: 4, rounds: ROUNDS }),
      chromium.launch({ executablePath: found.path!, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await graph.close();
  });

  /** Types a command into Browser's main editor (inserted as text, so no auto-closing quotes) and runs it. */
  async function run(command: string): Promise<void> {
    await page.locator('#monaco-main-editor').click();
    await page.keyboard.insertText(command);
    await page.getByTestId('editor-Run').click();
  }

  /**
   * Does `act` until `appears` is visible. Under load a click can land while the guide's carousel is
   * still settling and do nothing, and Browser's fetch of the guide can fail ("No guide by that name");
   * a bounded retry keeps the test about the Browser, not about timing.
   */
  async function until(act: () => Promise<void>, appears: Locator, attempts = 3, timeout = 15_000): Promise<void> {
    for (let i = 1; ; i++) {
      await act();
      try {
        await appears.waitFor({ timeout });
        return;
      } catch (err) {
        if (i >= attempts) throw err;
      }
    }
  }

  const clickUntil = (target: Locator, appears: Locator) => until(() => target.click(), appears);

  it('logs in, plays the guide and draws the experiment of a guide query in the service style', async () => {
    try {
      await browse();
    } catch (err) {
      // The screenshot of the failure is the first thing to look at.
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, 'neo4j-browser-failure.png') }).catch(() => {});
      throw err;
    }
  }, 150_000);

  async function browse(): Promise<void> {
    expect(demo.status).toBe('loaded');
    await page.goto(`http://127.0.0.1:${neo4j.httpPort}/browser/`);
    await page.getByTestId('boltaddress').fill(new URL(neo4j.uri).host);
    await page.getByTestId('username').fill(neo4j.user);
    await page.getByTestId('password').fill(neo4j.password);
    await page.getByTestId('connect').click();
    await page.getByText(/You are connected as user/).waitFor();

    await run(`:param project => '${project}'`);
    const guide = page.locator('[data-testid="frame"]', { has: page.locator('[data-testid="carousel"]') }).first();
    await until(() => run(`:play ${serviceUrl}/browser-guide`), guide, 3, 20_000);
    // One slide per saved query, plus the introduction and the closing slide.
    await expect.poll(() => guide.textContent()).toContain(`1 / ${loadQueries().length + 2}`);

    await clickUntil(
      guide.locator('pre.runnable', { hasText: ':style' }).locator('i.fa-play-circle-o'),
      page.locator('[data-testid="frame"]', { hasText: 'node.Experiment' }).first(),
    );

    await guide.getByTestId('nextSlide').click();
    await expect.poll(() => guide.locator('h3').first().textContent()).toBe(loadQueries()[0]!.title);
    const result = page.locator('[data-testid="frame"]', { has: page.locator('svg g.node') }).first();
    await clickUntil(guide.locator('pre.runnable i.fa-play-circle-o').first(), result);
    // The experiment, its dataset and model, its trials and the best trial's configuration.
    await expect.poll(() => result.locator('svg g.node').count()).toBeGreaterThanOrEqual(3 + ROUNDS + 1);
    const experimentNodes = result.locator('svg g.node', { has: page.locator(`circle.b-outline[fill="${EXPERIMENT_COLOUR}"]`) });
    await expect.poll(() => experimentNodes.count()).toBe(1);
    expect((await experimentNodes.first().textContent())?.replace(/\s+/g, ' ')).toContain('svm on');
    expect(await result.textContent()).toContain(`Trial (${ROUNDS})`);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'neo4j-browser.png') });
  }
});
