// @ts-check
// The dashboard's charts, written as Vega-Lite specifications, compiled in the page and rendered by
// Vega as SVG. Vega and Vega-Lite are globals (index.html loads their builds from /ui/vendor/ before
// any module); their expressions are run by Vega's interpreter, never compiled with `Function`, so
// the page's Content-Security-Policy needs no 'unsafe-eval'.
//
// Each chart is a <div class="chart" data-chart="…"> holding Vega's <svg>, whose accessible name is
// the chart's title and a summary of its data (the tables on the page carry the same data for screen
// readers); every data mark has a tooltip and an aria-label. Each layer of marks has a name, which
// Vega puts in the class of its group (`<name>_marks`): the styles and the tests find marks by it.
import { expressionInterpreter } from '../vendor/vega-interpreter.js';
import { fmt, fmtConfig, fmtValue, h, replace, s } from './dom.js';
import { BEST_COLOUR, FAILED_COLOUR, FAMILIES, familyOf, markerPath, SYMBOLS } from './strategies.js';

/** @typedef {import('../types').DashboardTrial} DashboardTrial */
/** @typedef {import('../types').Importance} Importance */
/** @typedef {import('../types').SearchParam} SearchParam */
/** @typedef {import('vega-lite').TopLevelSpec} Spec */
/** @typedef {import('vega').View} View */

/**
 * The wide charts' size: the history's plotting area (its axes come around it) and the others' whole
 * width (their plotting area is what their axes and labels leave), so that all of them are about as
 * wide and their text the same size once the SVG is scaled to the card's width (app.css).
 */
const W = 800;
const FIT = { width: W + 60, autosize: { type: /** @type {const} */ ('fit-x'), contains: /** @type {const} */ ('padding') } };
const BLUE = '#0072B2';
const GREY = '#8A8A8A';

/** The page's look: its system fonts, muted grid lines, no frame around the plotting area. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    labelColor: '#4a4f57',
    titleFontSize: 12.5,
    titleColor: '#2b2f35',
    titleFontWeight: 600,
    gridColor: '#e3e6ea',
    domainColor: '#5b6068',
    tickColor: '#5b6068',
  },
  axisX: { grid: false },
  legend: { labelFontSize: 11, labelColor: '#4a4f57' },
};

/** The live Vega view of each chart element, to be finalised when the element is replaced. */
/** @type {WeakMap<Element, View>} */
const views = new WeakMap();

/**
 * Compiles `spec` and renders it as SVG into a new chart element. A click on an item of one of the
 * `clickable` layers selects its trial (the item's datum has the trial's `number`).
 * @param {string} kind the chart's data-chart name
 * @param {string} title
 * @param {string} desc
 * @param {Spec} spec
 * @param {{ onSelect?: (number: number) => void; clickable?: string[]; attrs?: Record<string, string> }} [o]
 */
function vegaChart(kind, title, desc, spec, o = {}) {
  const el = h('div', { class: 'chart', 'data-chart': kind, 'aria-busy': 'true', ...o.attrs });
  const failed = (/** @type {unknown} */ err) => {
    el.removeAttribute('aria-busy');
    replace(el, h('p', { class: 'error' }, `The chart “${title}” could not be drawn: ${err instanceof Error ? err.message : String(err)}`));
  };
  try {
    const compiled = vegaLite.compile(/** @type {Spec} */ ({ ...spec, description: `${title}. ${desc}`, config: CONFIG })).spec;
    // `ast: true` keeps the expressions as syntax trees, which the interpreter evaluates.
    const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), {
      renderer: 'svg',
      container: el,
      expr: expressionInterpreter,
      hover: false,
    });
    const onSelect = o.onSelect;
    if (onSelect && o.clickable) {
      const names = new Set(o.clickable.map((n) => `${n}_marks`));
      view.addEventListener('click', (_event, item) => {
        const mark = /** @type {{ name?: string } | undefined} */ (item?.mark);
        const n = item && names.has(mark?.name ?? '') ? /** @type {{ number?: unknown }} */ (item.datum).number : undefined;
        if (typeof n === 'number') onSelect(n);
      });
    }
    views.set(el, view);
    view.runAsync().then(() => el.removeAttribute('aria-busy'), failed);
  } catch (err) {
    failed(err);
  }
  return el;
}

/**
 * Stops the Vega views of the charts inside `root` (their listeners and timers): before the charts
 * are drawn again, and when the page is left.
 * @param {ParentNode} root
 */
export function disposeCharts(root) {
  for (const el of root.querySelectorAll('.chart')) {
    views.get(el)?.finalize();
    views.delete(el);
  }
}

/**
 * The scale of an objective's values: log when they are positive and span more than three decades,
 * else linear with a little room around them; [0, 1] when there are none.
 * @param {number[]} values
 */
function valueScale(values) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return { type: /** @type {const} */ ('linear'), domain: [0, 1] };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (lo > 0 && hi / lo > 1e3) return { type: /** @type {const} */ ('log'), domain: [lo, hi] };
  const pad = (hi - lo) * 0.04 || Math.abs(lo) * 0.1 || 1;
  return { type: /** @type {const} */ ('linear'), domain: [lo - pad, hi + pad], nice: true, zero: false };
}

/** Colour and marker shape by strategy family (the Okabe–Ito colours and shapes of strategies.js). */
const STRATEGY = {
  color: { field: 'family', type: 'nominal', scale: { domain: FAMILIES.map((f) => f.id), range: FAMILIES.map((f) => f.colour) }, legend: null },
  shape: { field: 'family', type: 'nominal', scale: { domain: FAMILIES.map((f) => f.id), range: FAMILIES.map((f) => SYMBOLS[f.shape]) }, legend: null },
};

/** A field shown as the tooltip and read as the aria-label of each mark. */
const TIP = { tooltip: { field: 'tip', type: /** @type {const} */ ('nominal') }, description: { field: 'tip', type: /** @type {const} */ ('nominal') } };

/**
 * A legend as HTML (it wraps on narrow screens).
 * @param {{ label: string; colour: string; shape?: import('./strategies.js').Shape; line?: 'solid' | 'dashed' | 'thin' }[]} entries
 */
export function legend(entries) {
  return h(
    'ul',
    { class: 'legend' },
    entries.map((e) =>
      h(
        'li',
        {},
        s(
          'svg',
          { viewBox: '0 0 24 14', width: 24, height: 14, 'aria-hidden': 'true' },
          e.line
            ? s('line', {
                x1: 1,
                x2: 23,
                y1: 7,
                y2: 7,
                stroke: e.colour,
                'stroke-width': e.line === 'thin' ? 1.5 : 3,
                'stroke-dasharray': e.line === 'dashed' ? '5 3' : null,
              })
            : s('path', { d: markerPath(e.shape ?? 'circle', 12, 7, 5), fill: e.shape === 'cross' ? 'none' : e.colour, stroke: e.colour, 'stroke-width': 2 }),
        ),
        e.label,
      ),
    ),
  );
}

/**
 * Optimisation history: each completed trial's value by trial number, coloured and shaped by strategy
 * (invalidated results hollow), the best value so far as a step line over them, failures as crosses
 * in a lane under the plot.
 * @param {{ trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string; onSelect?: (number: number) => void }} o
 */
export function historyChart(o) {
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number');
  const failed = o.trials.filter((t) => t.state === 'failed');
  const maxN = Math.max(1, ...o.trials.map((t) => t.number));
  const values = done.map((t) => /** @type {number} */ (t.value));
  const better = (/** @type {number} */ a, /** @type {number} */ b) => (o.direction === 'maximize' ? a > b : a < b);
  /** @type {{ number: number; value: number }[]} */
  const steps = [];
  let best = Number.NaN;
  for (const t of done) {
    const v = /** @type {number} */ (t.value);
    if (t.invalid || !(Number.isNaN(best) || better(v, best))) continue;
    steps.push({ number: t.number, value: v });
    best = v;
  }
  if (steps.length) steps.push({ number: maxN, value: best });
  const points = (/** @type {DashboardTrial[]} */ ts) =>
    ts.map((t) => ({
      number: t.number,
      value: t.value,
      family: familyOf(t.strategy, t.proposedBy).id,
      tip: `#${t.number} ${t.strategy ?? t.proposedBy}: ${fmt(t.value)}${t.invalid ? ' (invalidated)' : ''}\n${fmtConfig(t.config)}`,
    }));
  const size = done.length > 800 ? 24 : done.length > 200 ? 40 : 64;
  const x = {
    field: 'number',
    type: /** @type {const} */ ('quantitative'),
    scale: { domain: [-0.5, maxN + 0.5], nice: false, zero: false },
    axis: { title: failed.length ? null : 'trial number', format: 'd', tickMinStep: 1 },
  };
  const y = {
    field: 'value',
    type: /** @type {const} */ ('quantitative'),
    scale: valueScale(values),
    axis: { title: `${o.metric} (${o.direction === 'maximize' ? 'higher' : 'lower'} is better)` },
  };
  /** @type {any[]} */
  const layers = [
    {
      name: 'trials',
      data: { values: points(done.filter((t) => !t.invalid)) },
      mark: { type: 'point', filled: true, size, opacity: 1, stroke: '#1b1b1b', strokeWidth: 0.6, cursor: 'pointer' },
      encoding: { x, y, ...STRATEGY, ...TIP },
    },
  ];
  if (done.some((t) => t.invalid))
    layers.push({
      name: 'invalid',
      data: { values: points(done.filter((t) => t.invalid)) },
      mark: { type: 'point', filled: false, size, opacity: 1, strokeWidth: 1.5, cursor: 'pointer' },
      encoding: { x, y, ...STRATEGY, ...TIP },
    });
  if (steps.length)
    // Over the points, with a white halo, so that it reads however dense they are (clicks go through it:
    // app.css).
    layers.push(
      {
        name: 'best_halo',
        data: { values: steps },
        mark: { type: 'line', interpolate: 'step-after', color: '#ffffff', strokeWidth: 5, strokeOpacity: 0.8, aria: false },
        encoding: { x, y },
      },
      {
        name: 'best',
        data: { values: steps },
        mark: { type: 'line', interpolate: 'step-after', color: BEST_COLOUR, strokeWidth: 2, description: `best ${o.metric} so far` },
        encoding: { x, y },
      },
    );
  const plot = { width: W, height: 270, layer: layers };
  const lane = {
    name: 'failed',
    width: W,
    height: 22,
    data: {
      values: failed.map((t) => ({ number: t.number, lane: 'failed', tip: `#${t.number} failed (${t.strategy ?? t.proposedBy})\n${fmtConfig(t.config)}` })),
    },
    mark: { type: 'point', shape: SYMBOLS.cross, filled: false, size: 40, strokeWidth: 2, color: FAILED_COLOUR, opacity: 1, cursor: 'pointer' },
    encoding: {
      x: { ...x, axis: { title: 'trial number', labels: false, ticks: false, domain: false } },
      y: { field: 'lane', type: 'nominal', axis: { title: null, ticks: false, domain: false, labelFontSize: 11 } },
      ...TIP,
    },
  };
  const spec = failed.length ? { vconcat: [plot, lane], spacing: 2, resolve: { scale: { x: 'shared' } } } : plot;
  const present = FAMILIES.filter((f) => o.trials.some((t) => familyOf(t.strategy, t.proposedBy) === f));
  return h(
    'figure',
    { class: 'figure' },
    vegaChart(
      'history',
      `Optimisation history of ${o.metric}`,
      `${done.length} completed trial(s) and ${failed.length} failed; best ${o.metric} ${fmt(best)}.`,
      /** @type {Spec} */ (spec),
      { onSelect: o.onSelect, clickable: ['trials', 'invalid', 'failed'] },
    ),
    legend([
      ...present.map((f) => ({ label: f.label, colour: f.colour, shape: f.shape })),
      { label: 'best so far', colour: BEST_COLOUR, line: /** @type {const} */ ('solid') },
      ...(failed.length ? [{ label: 'failed', colour: FAILED_COLOUR, shape: /** @type {const} */ ('cross') }] : []),
    ]),
  );
}

/**
 * Warm start at a glance: normalised best-so-far curves of this experiment, of each prior it learned
 * from, and the median of the project's cold experiments of the same model.
 * @param {{ target: number[]; priors: { name: string; datasetName: string; similarity: number | null; curve: number[] }[]; cold: { experiments: number; median: number[] } | null }} o
 */
export function warmStartChart(o) {
  const others = Math.max(0, ...o.priors.map((p) => p.curve.length), o.cold?.median.length ?? 0);
  const maxX = Math.max(o.target.length, Math.min(others, Math.max(4 * o.target.length, 50)), 2);
  /** @param {number[]} curve @param {(n: number, v: number) => Record<string, unknown>} row */
  const rows = (curve, row) => curve.slice(0, maxX).map((v, i) => ({ n: i + 1, v, ...row(i + 1, v) }));
  const x = {
    field: 'n',
    type: /** @type {const} */ ('quantitative'),
    title: 'completed trials',
    scale: { domain: [1, maxX], nice: false, zero: false },
    axis: { format: 'd', tickMinStep: 1, tickCount: 12 },
  };
  const y = { field: 'v', type: /** @type {const} */ ('quantitative'), title: 'best so far (0 worst … 1 best)', scale: { domain: [0, 1] } };
  /** @type {any[]} */
  const layers = [];
  const priors = o.priors.flatMap((p, i) =>
    rows(p.curve, () => ({ prior: i, tip: `prior: ${p.name} (${p.datasetName}); similarity ${fmt(p.similarity, 3)}` })),
  );
  if (priors.length)
    layers.push({
      name: 'prior',
      data: { values: priors },
      mark: { type: 'line', color: GREY, strokeWidth: 1.5, strokeOpacity: 0.75 },
      encoding: { x, y, detail: { field: 'prior', type: 'nominal' }, ...TIP },
    });
  if (o.cold?.median.length) {
    const tip = `median of ${o.cold.experiments} cold experiment(s) of the same model`;
    layers.push({
      name: 'cold',
      data: { values: rows(o.cold.median, () => ({ tip })) },
      mark: { type: 'line', color: FAILED_COLOUR, strokeWidth: 3, strokeDash: [7, 4] },
      encoding: { x, y, ...TIP },
    });
  }
  const target = rows(o.target, (n, v) => ({ tip: `after ${n} trial(s): ${fmt(v, 3)}` }));
  if (target.length || !layers.length)
    layers.push(
      {
        name: 'target',
        data: { values: target },
        mark: { type: 'line', color: BLUE, strokeWidth: 3.5, description: 'this experiment' },
        encoding: { x, y },
      },
      {
        name: 'target_points',
        data: { values: target },
        mark: { type: 'point', filled: true, color: BLUE, opacity: 1, size: 40 },
        encoding: { x, y, ...TIP },
      },
    );
  const desc =
    `This experiment reached ${fmt(o.target.at(-1) ?? null, 3)} of its range after ${o.target.length} trial(s); ` +
    `${o.priors.length} prior experiment(s)` +
    (o.cold
      ? `; the median of ${o.cold.experiments} cold experiment(s) reached ${fmt(o.cold.median[Math.min(o.target.length, o.cold.median.length) - 1] ?? null, 3)} after as many trials.`
      : '.');
  return h(
    'figure',
    { class: 'figure' },
    vegaChart(
      'warm-start',
      'Best so far, normalised: this experiment, its priors and cold runs',
      desc,
      /** @type {Spec} */ ({ ...FIT, height: 260, layer: layers }),
    ),
    legend([
      { label: 'this experiment', colour: BLUE, line: 'solid' },
      ...(o.priors.length ? [{ label: `priors it learned from (${o.priors.length})`, colour: GREY, line: /** @type {const} */ ('thin') }] : []),
      ...(o.cold ? [{ label: `median of ${o.cold.experiments} cold run(s), same model`, colour: FAILED_COLOUR, line: /** @type {const} */ ('dashed') }] : []),
    ]),
  );
}

/**
 * Parameter importance as horizontal bars, most important first, each with its share written beside it.
 * @param {Importance} imp
 */
export function importanceChart(imp) {
  const params = imp.parameters;
  const rows = params.map((p) => {
    const label = `${fmt(p.importance * 100, 3)}%${p.note ? ` — ${p.note}` : ''}`;
    return { name: p.name, share: p.importance, label, tip: `${p.name}: ${fmt(p.importance * 100, 3)}%${p.note ? ` (${p.note})` : ''}` };
  });
  const top = params[0];
  const desc = top ? `Most important: ${top.name} (${Math.round(top.importance * 100)}%), from ${imp.trials} completed trials.` : 'No parameters.';
  /** @type {Spec} */
  const spec = {
    ...FIT,
    height: 30 * Math.max(1, params.length),
    data: { values: rows },
    encoding: {
      y: {
        field: 'name',
        type: 'nominal',
        sort: null,
        scale: { paddingInner: 0.3, paddingOuter: 0.15 },
        axis: { title: null, ticks: false, domain: false, labelFontSize: 12.5, labelColor: '#1b1b1b', labelLimit: 200, labelPadding: 6 },
      },
      x: {
        field: 'share',
        type: 'quantitative',
        title: 'share of importance',
        scale: { domain: [0, 1] },
        axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1], grid: true },
      },
    },
    layer: [
      { name: 'bars', mark: { type: 'bar', color: BLUE }, encoding: { ...TIP } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11, color: '#4a4f57', aria: false }, encoding: { text: { field: 'label' } } },
    ],
  };
  return h('figure', { class: 'figure' }, vegaChart('importance', 'Parameter importance (PED-ANOVA)', desc, spec));
}

/**
 * Where a parameter's values go on an axis from 0 to 1 (null when it is not set), and the axis's tick
 * labels: numeric parameters on a linear or log scale over their range, categorical ones evenly spaced.
 * @param {SearchParam} p
 * @param {unknown[]} values the values seen, for parameters without declared bounds or choices
 * @returns {{ pos: (v: unknown) => number | null; ticks: { pos: number; label: string }[] }}
 */
function paramAxis(p, values) {
  if (p.type === 'categorical') {
    const choices = [...new Set((p.choices ?? values).map((c) => JSON.stringify(c)))];
    const n = Math.max(1, choices.length);
    const at = (/** @type {number} */ i) => (i + 0.5) / n;
    return {
      pos: (v) => {
        const i = choices.indexOf(JSON.stringify(v));
        return i < 0 ? null : at(i);
      },
      ticks: choices.map((c, i) => ({ pos: at(i), label: fmtValue(JSON.parse(c)) })),
    };
  }
  const nums = /** @type {number[]} */ (values.filter((v) => typeof v === 'number' && Number.isFinite(v)));
  return numericAxis(p.low ?? Math.min(...nums), p.high ?? Math.max(...nums), Boolean(p.log), false);
}

/**
 * A numeric axis from 0 to 1 over [lo, hi], with Vega's own scales and ticks.
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} log
 * @param {boolean} nice
 */
function numericAxis(lo, hi, log, nice) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const isLog = log && lo > 0;
  if (!(hi > lo)) [lo, hi] = isLog ? [lo / 2, lo * 2] : [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const sc = vega
    .scale(isLog ? 'log' : 'linear')()
    .domain([lo, hi])
    .range([0, 1]);
  if (nice) sc.nice(5);
  /** @type {number[]} */
  let ticks = sc.ticks(isLog ? 10 : 4);
  // Log ticks: powers of ten (1, 2 and 5 too within two decades), at most about six of them.
  if (isLog) {
    const mantissa = (/** @type {number} */ t) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
    const decades = Math.log10(hi / lo);
    ticks = ticks.filter((t) => (decades < 2 ? [1, 2, 5] : [1]).includes(mantissa(t)));
    const every = Math.ceil(ticks.length / 6);
    ticks = ticks.filter((_, i) => i % every === 0);
    if (ticks.length < 2) ticks = [lo, hi];
  }
  return {
    /** @param {unknown} v */
    pos: (v) => (typeof v === 'number' && Number.isFinite(v) ? sc(v) : null),
    ticks: ticks.map((t) => ({ pos: sc(t), label: fmt(t, 3) })),
  };
}

/**
 * Parallel coordinates: one vertical axis per parameter (log where the parameter is) and one for the
 * objective; each completed trial is a line, coloured by how good its value is (viridis, yellow = best),
 * the best drawn on top.
 * @param {{ space: SearchParam[]; trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string }} o
 */
export function parallelChart(o) {
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number' && !t.invalid);
  const values = done.map((t) => /** @type {number} */ (t.value));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const vs = valueScale(values);
  const dims = [
    ...o.space.map((p) => ({
      name: p.name,
      ...paramAxis(
        p,
        done.map((t) => t.config[p.name]),
      ),
    })),
    { name: o.metric, ...numericAxis(vs.domain[0], vs.domain[1], vs.type === 'log', vs.type === 'linear') },
  ];
  const goodness = (/** @type {number} */ v) => (hi > lo ? (o.direction === 'maximize' ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)) : 1);
  // Drawn in this order: the best last, on top.
  const order = done.map((t) => ({ t, good: goodness(/** @type {number} */ (t.value)) })).sort((a, b) => a.good - b.good);
  // One segment between each pair of neighbouring axes where both values are set (a conditional
  // parameter that is not set leaves a gap): rules draw much faster than 2,000 separate lines.
  const lines = order.flatMap(({ t, good }) => {
    const tip = `#${t.number}: ${fmt(t.value)}\n${fmtConfig(t.config)}`;
    const at = [...o.space.map((p) => t.config[p.name]), t.value].map((v, i) => dims[i].pos(v));
    /** @type {Record<string, unknown>[]} */
    const out = [];
    for (let i = 0; i + 1 < at.length; i++) {
      const [a, b] = [at[i], at[i + 1]];
      if (a !== null && b !== null)
        out.push({ number: t.number, dim: i, next: i + 1, pos: a, pos2: b, good, opacity: 0.35 + 0.55 * good, width: 1.2 + good, tip });
    }
    return out;
  });
  const ticks = dims.flatMap((d, i) => d.ticks.map((t) => ({ dim: i, ...t })));
  const x = {
    field: 'dim',
    type: /** @type {const} */ ('quantitative'),
    scale: { domain: [0, Math.max(1, dims.length - 1)], nice: false, zero: false },
    axis: null,
  };
  const y = { field: 'pos', type: /** @type {const} */ ('quantitative'), scale: { domain: [0, 1], nice: false, zero: false }, axis: null };
  const tickText = { type: 'text', align: 'left', baseline: 'middle', dx: 5, fontSize: 11, aria: false };
  /** @type {Spec} */
  const spec = /** @type {any} */ ({
    ...FIT,
    height: 300,
    layer: [
      {
        data: { values: dims.map((_, i) => ({ dim: i })) },
        mark: { type: 'rule', color: '#5b6068', aria: false },
        encoding: { x, y: { datum: 0, type: 'quantitative', scale: y.scale, axis: null }, y2: { datum: 1 } },
      },
      {
        name: 'lines',
        data: { values: lines },
        mark: { type: 'rule', strokeCap: 'round' },
        encoding: {
          x,
          x2: { field: 'next' },
          y,
          y2: { field: 'pos2' },
          color: {
            field: 'good',
            type: 'quantitative',
            scale: { scheme: 'viridis', domain: [0, 1] },
            legend: {
              type: 'gradient',
              title: null,
              orient: 'bottom',
              direction: 'horizontal',
              gradientLength: 180,
              values: [0, 1],
              labelExpr: "datum.value < 0.5 ? 'worst' : 'best'",
            },
          },
          // The better, the more opaque and the wider (the values as they are: no scale, no legend).
          opacity: { field: 'opacity', type: 'quantitative', scale: null },
          strokeWidth: { field: 'width', type: 'quantitative', scale: null },
          ...TIP,
        },
      },
      // Tick labels with a white halo, over the lines.
      {
        data: { values: ticks },
        mark: { ...tickText, stroke: '#ffffff', strokeWidth: 3, strokeJoin: 'round' },
        encoding: { x, y, text: { field: 'label' } },
      },
      { data: { values: ticks }, mark: { ...tickText, color: '#4a4f57' }, encoding: { x, y, text: { field: 'label' } } },
      {
        data: { values: dims.map((d, i) => ({ dim: i, name: d.name })) },
        mark: { type: 'text', baseline: 'bottom', dy: -8, fontSize: 12.5, fontWeight: 600, color: '#2b2f35', aria: false },
        encoding: { x, y: { datum: 1, type: 'quantitative' }, text: { field: 'name' } },
      },
    ],
  });
  return h(
    'figure',
    { class: 'figure' },
    vegaChart(
      'parallel',
      'Parallel coordinates of the completed trials',
      `${done.length} completed trials over ${o.space.length} parameter(s); colour shows ${o.metric}, yellow is best.`,
      spec,
    ),
  );
}

/**
 * Slice plots: the objective against each parameter's value, one small chart per parameter, all on
 * the same objective scale; the points of one choice of a categorical parameter are spread a little.
 * @param {{ space: SearchParam[]; trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string; onSelect?: (number: number) => void }} o
 */
export function sliceCharts(o) {
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number' && !t.invalid);
  const values = done.map((t) => /** @type {number} */ (t.value));
  const yScale = valueScale(values);
  return h(
    'div',
    { class: 'slices' },
    o.space.map((p) => {
      const categorical = p.type === 'categorical';
      const active = done.filter((t) => t.config[p.name] !== null && t.config[p.name] !== undefined);
      const labels = categorical ? [...new Set((p.choices ?? active.map((t) => t.config[p.name])).map((c) => fmtValue(c)))] : [];
      const nums = active.map((t) => t.config[p.name]).filter((v) => typeof v === 'number');
      const lo = p.low ?? Math.min(...nums);
      const hi = p.high ?? Math.max(...nums);
      const log = Boolean(p.log) && lo > 0;
      const title = `${p.name}${p.log ? ' (log)' : ''}`;
      const rows = active.map((t) => ({
        number: t.number,
        x: categorical ? fmtValue(t.config[p.name]) : t.config[p.name],
        jitter: ((t.number * 7919) % 21) - 10,
        value: t.value,
        family: familyOf(t.strategy, t.proposedBy).id,
        tip: `#${t.number}: ${p.name}=${fmtValue(t.config[p.name])} → ${fmt(t.value)}`,
      }));
      const x = categorical
        ? { field: 'x', type: 'nominal', title, scale: { type: 'band', domain: labels }, axis: { labelAngle: 0 } }
        : {
            field: 'x',
            type: 'quantitative',
            title,
            // The parameter's range (the values' when it declares none).
            scale: { type: log ? 'log' : 'linear', nice: false, ...(log ? {} : { zero: false }), ...(hi > lo ? { domain: [lo, hi] } : {}) },
            axis: { tickCount: 4 },
          };
      /** @type {Spec} */
      const spec = /** @type {any} */ ({
        name: 'points',
        width: 230,
        height: 160,
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 36, stroke: '#1b1b1b', strokeWidth: 0.5, opacity: 0.85, cursor: 'pointer' },
        encoding: {
          x,
          ...(categorical ? { xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-40, 40] } } } : {}),
          y: { field: 'value', type: 'quantitative', title: o.metric, scale: yScale, axis: { tickCount: 4 } },
          ...STRATEGY,
          ...TIP,
        },
      });
      return h(
        'figure',
        { class: 'slice' },
        vegaChart('slice', `${o.metric} against ${p.name}`, `${active.length} completed trials where ${p.name} is set.`, spec, {
          onSelect: o.onSelect,
          clickable: ['points'],
          attrs: { 'data-param': p.name },
        }),
      );
    }),
  );
}

/** The colour of a trial's state in the learning curves. */
/** @type {Record<string, string>} */
const STATE_COLOURS = { completed: BLUE, running: '#009E73', pruned: '#E69F00', failed: FAILED_COLOUR, stale: '#7F7F7F', queued: '#7F7F7F' };

/**
 * Intermediate values (learning curves): one line per trial that reported any, coloured by its state.
 * @param {{ trials: DashboardTrial[]; onSelect?: (number: number) => void }} o
 */
export function intermediateChart(o) {
  const withCurves = o.trials.filter((t) => t.intermediate.length > 0);
  const rows = withCurves.flatMap((t) => {
    const tip = `#${t.number} (${t.state}): ${t.intermediate.length} step(s), last ${fmt(t.intermediate.at(-1)?.value)}`;
    return t.intermediate.map((p) => ({ number: t.number, state: t.state, step: p.step, value: p.value, tip }));
  });
  const single = new Set(withCurves.filter((t) => t.intermediate.length === 1).map((t) => t.number));
  const states = [...new Set(withCurves.map((t) => t.state))];
  const x = { field: 'step', type: /** @type {const} */ ('quantitative'), title: 'step', scale: { zero: false }, axis: { tickMinStep: 1 } };
  const y = { field: 'value', type: /** @type {const} */ ('quantitative'), title: 'intermediate value', scale: valueScale(rows.map((r) => r.value)) };
  const color = {
    field: 'state',
    type: /** @type {const} */ ('nominal'),
    scale: { domain: Object.keys(STATE_COLOURS), range: Object.values(STATE_COLOURS) },
    legend: null,
  };
  /** @type {Spec} */
  const spec = /** @type {any} */ ({
    ...FIT,
    height: 260,
    layer: [
      {
        name: 'curves',
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.8, cursor: 'pointer' },
        encoding: { x, y, color, detail: { field: 'number', type: 'nominal' }, ...TIP },
      },
      {
        name: 'single',
        data: { values: rows.filter((r) => single.has(r.number)) },
        mark: { type: 'point', filled: true, size: 30, opacity: 1, cursor: 'pointer' },
        encoding: { x, y, color, ...TIP },
      },
    ],
  });
  return h(
    'figure',
    { class: 'figure' },
    vegaChart('intermediate', 'Intermediate values (learning curves)', `${withCurves.length} trial(s) reported intermediate values.`, spec, {
      onSelect: o.onSelect,
      clickable: ['curves', 'single'],
    }),
    legend(states.map((st) => ({ label: st, colour: STATE_COLOURS[st] ?? '#7F7F7F', line: /** @type {const} */ ('solid') }))),
  );
}
