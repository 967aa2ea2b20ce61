// The dashboard's read-only API (src/routes/dashboard.ts) and static files (src/routes/ui.ts) on the demo
// knowledge base: the list with warm-start columns, filters and sorting; an experiment's page data with
// importance and the warm-start comparison; a trial's "why" with its priors and source trial; the
// Browser query; tenancy and strict input; and docs/dashboard.md run as written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, rows } from '../../graph/tx.ts';
import { REPO_ROOT } from '../../src/config.ts';
import { medianCurve, normalisedBestSoFar } from '../../src/services/dashboard.ts';
import { type DashboardTestApp, dashboardApp } from './app.ts';

let t: DashboardTestApp;
// Eight portfolio picks (the initial design of four parameters), then transfer-BO.
const ROUNDS = 9;

beforeAll(async () => {
  t = await dashboardApp({ priors: 3, rounds: ROUNDS });
}, 120_000);
afterAll(async () => t?.close());

describe('the experiments list', () => {
  it('shows progress, best value and what warm start did, with facets', async () => {
    const res = await t.call('GET', '/v1/dashboard/experiments');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total).toBe(4);
    const warm = res.body.items.find((i: any) => i.experiment.id === t.demo.experimentId);
    expect(warm.priors).toBeGreaterThan(0);
    expect(warm.completedTrials).toBe(ROUNDS);
    expect(warm.experiment.status).toBe('finished');
    expect(typeof warm.bestValue).toBe('number');
    expect(warm.bestTrialNumber).toBeGreaterThanOrEqual(0);
    expect(res.body.facets.models).toEqual(['svm']);
    expect(res.body.facets.datasets).toHaveLength(4);
  });

  it('filters by warm start, model and name, and sorts with missing values last', async () => {
    const yes = await t.call('GET', '/v1/dashboard/experiments?warmStarted=yes');
    expect(yes.body.items.map((i: any) => i.experiment.id)).toEqual([t.demo.experimentId]);
    expect((await t.call('GET', '/v1/dashboard/experiments?warmStarted=no')).body.total).toBe(3);
    expect((await t.call('GET', '/v1/dashboard/experiments?model=xgboost')).body.total).toBe(0);
    expect((await t.call('GET', '/v1/dashboard/experiments?name=WARM-STARTED')).body.total).toBe(1);
    const asc = (await t.call('GET', '/v1/dashboard/experiments?sort=best&order=asc')).body.items.map((i: any) => i.bestValue);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const byPriors = (await t.call('GET', '/v1/dashboard/experiments?sort=priors&order=desc&limit=1')).body;
    expect(byPriors.items[0].experiment.id).toBe(t.demo.experimentId);
    expect(byPriors.nextOffset).toBe(1);
    const bad = await t.call('GET', '/v1/dashboard/experiments?sort=colour');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('querystring.sort');
    const unknown = await t.call('GET', '/v1/dashboard/experiments?zz_unknown=1');
    expect(unknown.body.issues).toContainEqual({ field: 'querystring.zz_unknown', reason: 'unknown field' });
  });
});

describe("an experiment's page", () => {
  it('has every trial, importance on the completed ones and the warm-start comparison', async () => {
    const res = await t.call('GET', `/v1/experiments/${t.demo.experimentId}/dashboard`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body;
    expect(d.trials).toHaveLength(ROUNDS);
    expect(d.trials.map((x: any) => x.number)).toEqual([...Array(ROUNDS).keys()]);
    expect(new Set(d.trials.map((x: any) => x.strategy))).toEqual(new Set(['portfolio', 'transfer-bo']));
    expect(d.trials[0]).not.toHaveProperty('provenance');
    expect(d.experiment.counts).toEqual({ completed: ROUNDS });
    expect(d.experiment.bestTrialId).toBe(d.trials.find((x: any) => x.value === Math.max(...d.trials.map((y: any) => y.value))).id);

    expect(d.importance.method).toBe('ped-anova');
    expect(d.importance.trials).toBe(ROUNDS);
    expect(d.importance.parameters.map((p: any) => p.name).sort()).toEqual(['C', 'degree', 'gamma', 'kernel']);
    expect(d.importance.parameters.reduce((s: number, p: any) => s + p.importance, 0)).toBeCloseTo(1, 9);

    const w = d.warmStart;
    expect(w.target).toHaveLength(ROUNDS);
    expect(w.target.at(-1)).toBe(1);
    for (let i = 1; i < w.target.length; i++) expect(w.target[i]).toBeGreaterThanOrEqual(w.target[i - 1]);
    expect(w.priors.length).toBeGreaterThan(0);
    for (const p of w.priors) {
      expect(t.demo.priorExperimentIds).toContain(p.experimentId);
      expect(p.curve).toHaveLength(48);
      expect(p.uses).toBeGreaterThan(0);
      // The edge's similarity is the latest use's (null after transfer-BO): the provenance's is shown.
      expect(p.similarity).toBeGreaterThan(0);
    }
    // The imported priors are the project's cold runs of svm.
    expect(w.cold.experiments).toBe(3);
    expect(w.cold.median).toHaveLength(48);
    expect(d.browserQuery).toContain(t.demo.experimentId);
  });

  it("explains a portfolio pick with its priors and source trial, and a transfer-BO pick with the model's weights", async () => {
    const d = (await t.call('GET', `/v1/experiments/${t.demo.experimentId}/dashboard`)).body;
    const portfolio = d.trials.find((x: any) => x.strategy === 'portfolio');
    const why = await t.call('GET', `/v1/trials/${portfolio.id}/why`);
    expect(why.status, JSON.stringify(why.body)).toBe(200);
    expect(why.body.trial.provenance.strategy).toBe('portfolio');
    expect(why.body.experiment).toMatchObject({ id: t.demo.experimentId, datasetName: 'australian' });
    const priorIds = why.body.trial.provenance.priors.map((p: any) => p.experimentId);
    expect(priorIds.length).toBeGreaterThan(0);
    expect(why.body.experiments.map((e: any) => e.experimentId)).toEqual(expect.arrayContaining(priorIds));
    for (const e of why.body.experiments) expect(e.link?.uses).toBeGreaterThan(0);
    expect(why.body.sources).toHaveLength(1);
    const [source] = why.body.sources;
    expect(t.demo.priorExperimentIds).toContain(source.experimentId);
    expect(source.config).toHaveProperty('kernel');

    // The Browser query finds the same subgraph: the trial and the prior trial it came from.
    const [found] = await read(t.graph, (tx) => rows<{ sources: unknown[]; warm: unknown[] }>(tx, why.body.browserQuery));
    expect(found?.sources).toHaveLength(1);
    expect(found?.warm.length).toBeGreaterThan(0);

    const transfer = d.trials.find((x: any) => x.strategy === 'transfer-bo');
    const tb = (await t.call('GET', `/v1/trials/${transfer.id}/why`)).body;
    expect(tb.trial.provenance.model.rgpeWeights.length).toBeGreaterThan(1);
    expect(tb.sources).toEqual([]);
  });

  it('answers 404 for another project and 401 without a key', async () => {
    const other = await dashboardAppKeyForOtherProject();
    expect((await t.call('GET', `/v1/experiments/${t.demo.experimentId}/dashboard`, undefined, other)).status).toBe(404);
    const d = (await t.call('GET', `/v1/experiments/${t.demo.experimentId}/dashboard`)).body;
    expect((await t.call('GET', `/v1/trials/${d.trials[0].id}/why`, undefined, other)).status).toBe(404);
    expect((await t.call('GET', '/v1/dashboard/experiments', undefined, other)).body.total).toBe(0);
    expect((await t.call('GET', '/v1/dashboard/experiments', undefined, null)).status).toBe(401);
  });
});

async function dashboardAppKeyForOtherProject(): Promise<string> {
  const { createKey } = await import('../../graph/repositories/keys.ts');
  return (await createKey(t.graph, `test-ui-other-${Date.now()}`, 'other')).secret;
}

describe('normalised curves', () => {
  it('scales each best-so-far curve to its own range and takes the median while half the runs last', () => {
    normalisedBestSoFar([0.5, 0.7, 0.6, 0.9], 'maximize').forEach((v, i) => expect(v).toBeCloseTo([0, 0.5, 0.5, 1][i]!, 12));
    expect(normalisedBestSoFar([3, 1, 2], 'minimize')).toEqual([0, 1, 1]);
    expect(normalisedBestSoFar([2, 2], 'minimize')).toEqual([1, 1]);
    const median = medianCurve([[0, 1], [0.5, 0.5, 1], [0.2], [0.4, 0.6, 0.8, 1]]);
    expect(median).toHaveLength(3);
    median.forEach((v, i) => expect(v).toBeCloseTo([0.3, 0.6, 0.9][i]!, 12));
  });
});

describe('the static files at /ui/', () => {
  it('serves the page and its modules with a strict CSP, and nothing else', async () => {
    const redirect = await t.call('GET', '/ui', undefined, null);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/ui/');
    const page = await t.app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('js/main.js');
    // No CDN: every src/href in the page and every import of the modules is relative.
    expect(page.body).not.toMatch(/(src|href)="https?:/);
    const main = await t.app.inject({ method: 'GET', url: '/ui/js/main.js' });
    expect(main.headers['content-type']).toMatch(/^text\/javascript/);
    const again = await t.app.inject({ method: 'GET', url: '/ui/js/main.js', headers: { 'if-none-match': String(main.headers.etag) } });
    expect(again.statusCode).toBe(304);
    for (const file of ['main.js', 'charts.js', 'api.js', 'dom.js', 'strategies.js']) {
      const text = readFileSync(join(REPO_ROOT, 'ui', 'js', file), 'utf8');
      for (const [, spec] of text.matchAll(/^import .* from '([^']+)';$/gm))
        expect(spec, `${file} imports ${spec}`).toMatch(/^(\.|\.\.\/vendor)\/[a-z-]+\.js$/);
    }
    // The chart library, from the installed packages: the page's scripts, the module charts.js imports,
    // and their licences. Vega's expressions are interpreted, so the policy allows no eval.
    expect(page.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    const scripts = [...page.body.matchAll(/<script [^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['vendor/vega.min.js', 'vendor/vega-lite.min.js', 'js/main.js']);
    for (const [url, pkg] of [
      ['/ui/vendor/vega.min.js', 'vega'],
      ['/ui/vendor/vega-lite.min.js', 'vega-lite'],
      ['/ui/vendor/vega-interpreter.js', 'vega-interpreter'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/javascript/);
      expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
      const licence = await t.app.inject({ method: 'GET', url: `/ui/vendor/${pkg}-LICENSE.txt` });
      expect(licence.statusCode, pkg).toBe(200);
      expect(licence.body, pkg).toMatch(/Copyright .*University of Washington/);
      expect(licence.body, pkg).toContain('Redistribution and use in source and binary forms');
    }
    const interpreter = (await t.app.inject({ method: 'GET', url: '/ui/vendor/vega-interpreter.js' })).body;
    expect(interpreter).toContain('export { expression as expressionInterpreter }');
    expect(interpreter).not.toMatch(/^\s*import\b/m);
    for (const url of ['/ui/tsconfig.json', '/ui/types.d.ts', '/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/js/nothing.js']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
    const config = await t.app.inject({ method: 'GET', url: '/ui/config.json' });
    expect(config.json()).toEqual({ neo4jBrowserUrl: null, pollSeconds: 3 });
  });
});
