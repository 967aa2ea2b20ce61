// @ts-check
// The dashboard's charts, drawn as SVG with no library: scales, axes and marks for the handful of
// chart types the experiment page needs. Each chart is an <svg role="img"> with a title and a
// description that summarises its data (the tables on the page carry the same data for screen
// readers), and every mark has a <title> tooltip. Marks carry class "mark" (tests count them).
import { fmt, fmtConfig, fmtValue, h, s } from './dom.js';
import { BEST_COLOUR, FAILED_COLOUR, FAMILIES, familyOf, markerPath } from './strategies.js';

/** @typedef {import('../types').DashboardTrial} DashboardTrial */
/** @typedef {import('../types').Importance} Importance */
/** @typedef {import('../types').SearchParam} SearchParam */
/** @typedef {{ map: (v: number) => number; ticks: (n?: number) => number[]; domain: [number, number]; range: [number, number]; log: boolean }} Scale */

const W = 900;

/**
 * @param {number} lo
 * @param {number} hi
 * @param {number} n
 */
function niceStep(lo, hi, n) {
  const raw = (hi - lo) / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m >= 5 ? 10 : m >= 2 ? 5 : m >= 1 ? 2 : 1) * p;
}

/**
 * A linear scale; the domain is widened to nice tick values when `nice`; `integer` keeps ticks on integers.
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @param {boolean} [nice]
 * @param {boolean} [integer]
 * @returns {Scale}
 */
export function linear(domain, range, nice = true, integer = false) {
  let [d0, d1] = domain;
  if (!(d1 > d0)) {
    const pad = Math.abs(d0) > 0 ? Math.abs(d0) * 0.1 : 1;
    d0 -= pad;
    d1 += pad;
  }
  if (nice) {
    const step = niceStep(d0, d1, 5);
    d0 = Math.floor(d0 / step) * step;
    d1 = Math.ceil(d1 / step) * step;
  }
  const [r0, r1] = range;
  return {
    domain: [d0, d1],
    range,
    log: false,
    map: (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0),
    ticks: (n = 5) => {
      const step = integer ? Math.max(1, niceStep(d0, d1, n)) : niceStep(d0, d1, n);
      const out = [];
      for (let t = Math.ceil(d0 / step - 1e-9) * step; t <= d1 + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
      return out;
    },
  };
}

/**
 * A log10 scale over a positive domain.
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @returns {Scale}
 */
export function logScale(domain, range) {
  let [d0, d1] = domain;
  if (!(d1 > d0)) [d0, d1] = [d0 / 2, d0 * 2];
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const [r0, r1] = range;
  return {
    domain: [d0, d1],
    range,
    log: true,
    map: (v) => r0 + ((Math.log10(Math.max(v, 1e-300)) - l0) / (l1 - l0)) * (r1 - r0),
    ticks: (n = 6) => {
      const out = [];
      // Every k-th decade, so that at most about n labels share the axis.
      const every = Math.max(1, Math.ceil((Math.ceil(l1) - Math.floor(l0)) / n));
      for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
        if (e % every !== 0) continue;
        for (const m of l1 - l0 < 2 ? [1, 2, 5] : [1]) {
          const t = m * 10 ** e;
          if (t >= d0 * (1 - 1e-9) && t <= d1 * (1 + 1e-9)) out.push(t);
        }
      }
      return out.length >= 2 ? out : [d0, d1];
    },
  };
}

/**
 * A value scale for `values`: log when they are positive and span more than three decades.
 * @param {number[]} values
 * @param {[number, number]} range
 */
function valueScale(values, range) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return linear([0, 1], range);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (lo > 0 && hi / lo > 1e3) return logScale([lo, hi], range);
  const pad = (hi - lo) * 0.04;
  return linear([lo - pad, hi + pad], range);
}

/**
 * An <svg> with a title and description for assistive technology.
 * @param {string} kind the chart's data-chart name
 * @param {string} title
 * @param {string} desc
 * @param {number} width
 * @param {number} height
 */
function svgRoot(kind, title, desc, width, height) {
  const id = `c${Math.random().toString(36).slice(2, 9)}`;
  return s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${id}t ${id}d`,
      'data-chart': kind,
      class: 'chart',
      preserveAspectRatio: 'xMinYMin meet',
    },
    s('title', { id: `${id}t` }, title),
    s('desc', { id: `${id}d` }, desc),
  );
}

/**
 * Axes with ticks and grid lines.
 * @param {Scale} x
 * @param {Scale} y
 * @param {{ xLabel: string; yLabel: string; xTicks?: number; yTicks?: number; xFormat?: (v: number) => string; xLabelOffset?: number }} o
 */
function axes(x, y, o) {
  const g = s('g', { class: 'axes' });
  const [x0, x1] = x.range;
  const [y0, y1] = y.range;
  for (const t of y.ticks(o.yTicks ?? 5)) {
    const py = y.map(t);
    g.append(s('line', { x1: x0, x2: x1, y1: py, y2: py, class: 'grid' }), s('text', { x: x0 - 6, y: py + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t, 3)));
  }
  for (const t of x.ticks(o.xTicks ?? 8)) {
    const px = x.map(t);
    g.append(
      s('line', { x1: px, x2: px, y1: y0, y2: y0 + 5, class: 'axis' }),
      s('text', { x: px, y: y0 + 18, class: 'tick', 'text-anchor': 'middle' }, o.xFormat ? o.xFormat(t) : fmt(t, 3)),
    );
  }
  g.append(
    s('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }),
    s('line', { x1: x0, x2: x0, y1: y0, y2: y1, class: 'axis' }),
    s('text', { x: (x0 + x1) / 2, y: y0 + (o.xLabelOffset ?? 36), class: 'label', 'text-anchor': 'middle' }, o.xLabel),
    s('text', { x: 14, y: (y0 + y1) / 2, class: 'label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${(y0 + y1) / 2})` }, o.yLabel),
  );
  return g;
}

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
 * Optimisation history: each completed trial's value by trial number, coloured and shaped by strategy,
 * the best value so far as a step line, failures as crosses in a lane under the plot.
 * @param {{ trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string; onSelect?: (number: number) => void }} o
 */
export function historyChart(o) {
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number');
  const failed = o.trials.filter((t) => t.state === 'failed');
  // Failures get a lane between the tick labels and the axis title.
  const H = failed.length ? 360 : 340;
  const m = { l: 70, r: 16, t: 14, b: failed.length ? 76 : 56 };
  const radius = done.length > 800 ? 2.6 : done.length > 200 ? 3.4 : 4.5;
  const maxN = Math.max(1, ...o.trials.map((t) => t.number));
  const x = linear([-0.5, maxN + 0.5], [m.l, W - m.r], false, true);
  const y = valueScale(
    done.map((t) => /** @type {number} */ (t.value)),
    [H - m.b, m.t],
  );
  const better = (/** @type {number} */ a, /** @type {number} */ b) => (o.direction === 'maximize' ? a > b : a < b);
  let best = Number.NaN;
  /** @type {string[]} */
  const steps = [];
  for (const t of done) {
    if (t.invalid) continue;
    const v = /** @type {number} */ (t.value);
    if (Number.isNaN(best) || better(v, best)) {
      const px = x.map(t.number).toFixed(1);
      steps.push(Number.isNaN(best) ? `M${px},${y.map(v).toFixed(1)}` : `H${px}V${y.map(v).toFixed(1)}`);
      best = v;
    }
  }
  if (steps.length) steps.push(`H${x.map(maxN).toFixed(1)}`);
  const desc = `${done.length} completed trial(s) and ${failed.length} failed; best ${o.metric} ${fmt(best)}.`;
  const svg = svgRoot('history', `Optimisation history of ${o.metric}`, desc, W, H);
  svg.append(
    axes(x, y, {
      xLabel: 'trial number',
      yLabel: `${o.metric} (${o.direction === 'maximize' ? 'higher' : 'lower'} is better)`,
      xFormat: (v) => String(Math.round(v)),
      xLabelOffset: failed.length ? 56 : 36,
    }),
  );
  const marks = s('g', {});
  for (const t of done) {
    const f = familyOf(t.strategy, t.proposedBy);
    const v = /** @type {number} */ (t.value);
    marks.append(
      s(
        'path',
        {
          d: markerPath(f.shape, x.map(t.number), y.map(v), radius),
          fill: t.invalid ? 'none' : f.colour,
          stroke: t.invalid ? f.colour : '#1b1b1b',
          'stroke-width': t.invalid ? 1.5 : 0.6,
          class: 'mark',
          'data-trial': t.number,
          tabindex: o.onSelect ? 0 : null,
          onclick: o.onSelect ? () => o.onSelect?.(t.number) : null,
          onkeydown: o.onSelect ? (/** @type {KeyboardEvent} */ e) => e.key === 'Enter' && o.onSelect?.(t.number) : null,
        },
        s('title', {}, `#${t.number} ${t.strategy ?? t.proposedBy}: ${fmt(v)}${t.invalid ? ' (invalidated)' : ''}\n${fmtConfig(t.config)}`),
      ),
    );
  }
  const laneY = H - m.b + 34;
  if (failed.length) svg.append(s('text', { x: m.l - 6, y: laneY + 4, class: 'tick', 'text-anchor': 'end' }, 'failed'));
  for (const t of failed) {
    marks.append(
      s(
        'path',
        {
          d: markerPath('cross', x.map(t.number), laneY, 4),
          stroke: FAILED_COLOUR,
          'stroke-width': 2,
          fill: 'none',
          class: 'mark failed',
          'data-trial': t.number,
          onclick: o.onSelect ? () => o.onSelect?.(t.number) : null,
        },
        s('title', {}, `#${t.number} failed (${t.strategy ?? t.proposedBy})\n${fmtConfig(t.config)}`),
      ),
    );
  }
  svg.append(marks);
  // Over the points, with a white halo, so that it reads however dense they are.
  if (steps.length)
    svg.append(
      s('path', { d: steps.join(''), stroke: '#fff', fill: 'none', 'stroke-width': 5, 'stroke-opacity': 0.8 }),
      s('path', { d: steps.join(''), class: 'best-line', stroke: BEST_COLOUR, fill: 'none', 'stroke-width': 2 }),
    );
  const present = FAMILIES.filter((f) => o.trials.some((t) => familyOf(t.strategy, t.proposedBy) === f));
  return h(
    'figure',
    { class: 'figure' },
    svg,
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
  const H = 320;
  const m = { l: 70, r: 16, t: 14, b: 50 };
  const others = Math.max(0, ...o.priors.map((p) => p.curve.length), o.cold?.median.length ?? 0);
  const maxX = Math.max(o.target.length, Math.min(others, Math.max(4 * o.target.length, 50)), 2);
  const x = linear([1, maxX], [m.l, W - m.r], false, true);
  const y = linear([0, 1], [H - m.b, m.t], false);
  /** @param {number[]} curve */
  const path = (curve) =>
    curve
      .slice(0, maxX)
      .map((v, i) => `${i ? 'L' : 'M'}${x.map(i + 1).toFixed(1)},${y.map(v).toFixed(1)}`)
      .join('');
  const desc =
    `This experiment reached ${fmt(o.target.at(-1) ?? null, 3)} of its range after ${o.target.length} trial(s); ` +
    `${o.priors.length} prior experiment(s)` +
    (o.cold
      ? `; the median of ${o.cold.experiments} cold experiment(s) reached ${fmt(o.cold.median[Math.min(o.target.length, o.cold.median.length) - 1] ?? null, 3)} after as many trials.`
      : '.');
  const svg = svgRoot('warm-start', 'Best so far, normalised: this experiment, its priors and cold runs', desc, W, H);
  svg.append(axes(x, y, { xLabel: 'completed trials', yLabel: 'best so far (0 worst … 1 best)', xFormat: (v) => String(Math.round(v)) }));
  const lines = s('g', {});
  for (const p of o.priors) {
    if (p.curve.length)
      lines.append(
        s(
          'path',
          { d: path(p.curve), class: 'mark prior-curve', stroke: '#8A8A8A', 'stroke-width': 1.5, fill: 'none', 'stroke-opacity': 0.75 },
          s('title', {}, `prior: ${p.name} (${p.datasetName}); similarity ${fmt(p.similarity, 3)}`),
        ),
      );
  }
  if (o.cold?.median.length)
    lines.append(
      s(
        'path',
        { d: path(o.cold.median), class: 'mark cold-curve', stroke: FAILED_COLOUR, 'stroke-width': 3, 'stroke-dasharray': '7 4', fill: 'none' },
        s('title', {}, `median of ${o.cold.experiments} cold experiment(s) of the same model`),
      ),
    );
  if (o.target.length) {
    lines.append(
      s('path', { d: path(o.target), class: 'mark target-curve', stroke: '#0072B2', 'stroke-width': 3.5, fill: 'none' }, s('title', {}, 'this experiment')),
    );
    o.target.slice(0, maxX).forEach((v, i) => {
      lines.append(
        s('circle', { cx: x.map(i + 1), cy: y.map(v), r: 3.5, fill: '#0072B2', class: 'mark' }, s('title', {}, `after ${i + 1} trial(s): ${fmt(v, 3)}`)),
      );
    });
  }
  svg.append(lines);
  return h(
    'figure',
    { class: 'figure' },
    svg,
    legend([
      { label: 'this experiment', colour: '#0072B2', line: 'solid' },
      ...(o.priors.length ? [{ label: `priors it learned from (${o.priors.length})`, colour: '#8A8A8A', line: /** @type {const} */ ('thin') }] : []),
      ...(o.cold ? [{ label: `median of ${o.cold.experiments} cold run(s), same model`, colour: FAILED_COLOUR, line: /** @type {const} */ ('dashed') }] : []),
    ]),
  );
}

/**
 * Parameter importance as horizontal bars, most important first.
 * @param {Importance} imp
 */
export function importanceChart(imp) {
  const params = imp.parameters;
  const rowH = 30;
  const m = { l: 170, r: 70, t: 8, b: 36 };
  const H = m.t + m.b + rowH * Math.max(1, params.length);
  const x = linear([0, 1], [m.l, W - m.r], false);
  const top = params[0];
  const desc = top ? `Most important: ${top.name} (${Math.round(top.importance * 100)}%), from ${imp.trials} completed trials.` : 'No parameters.';
  const svg = svgRoot('importance', 'Parameter importance (PED-ANOVA)', desc, W, H);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const px = x.map(t);
    svg.append(
      s('line', { x1: px, x2: px, y1: m.t, y2: H - m.b, class: 'grid' }),
      s('text', { x: px, y: H - m.b + 16, class: 'tick', 'text-anchor': 'middle' }, `${Math.round(t * 100)}%`),
    );
  }
  svg.append(s('text', { x: (m.l + W - m.r) / 2, y: H - 4, class: 'label', 'text-anchor': 'middle' }, 'share of importance'));
  params.forEach((p, i) => {
    const py = m.t + i * rowH;
    svg.append(
      s('text', { x: m.l - 8, y: py + rowH / 2 + 4, class: 'tick name', 'text-anchor': 'end' }, p.name),
      s(
        'rect',
        { x: m.l, y: py + 5, width: Math.max(0, x.map(p.importance) - m.l), height: rowH - 10, fill: '#0072B2', class: 'mark', 'data-param': p.name },
        s('title', {}, `${p.name}: ${fmt(p.importance * 100, 3)}%${p.note ? ` (${p.note})` : ''}`),
      ),
      s('text', { x: x.map(p.importance) + 6, y: py + rowH / 2 + 4, class: 'tick' }, `${fmt(p.importance * 100, 3)}%${p.note ? ` — ${p.note}` : ''}`),
    );
  });
  return h('figure', { class: 'figure' }, svg);
}

/**
 * A parameter's axis: numeric (linear or log) or categorical (evenly spaced choices).
 * @param {SearchParam} p
 * @param {[number, number]} range
 * @param {unknown[]} values the values seen, for categorical parameters without declared choices
 */
function paramAxis(p, range, values) {
  if (p.type === 'categorical') {
    const choices = (p.choices ?? [...new Set(values)]).map((c) => JSON.stringify(c));
    const n = Math.max(1, choices.length);
    const step = (range[1] - range[0]) / n;
    return {
      categorical: true,
      labels: choices.map((c) => {
        const v = JSON.parse(c);
        return typeof v === 'string' ? v : String(v);
      }),
      positions: choices.map((_, i) => range[0] + step * (i + 0.5)),
      /** @param {unknown} v */
      map: (v) => {
        const i = choices.indexOf(JSON.stringify(v));
        return i < 0 ? null : range[0] + step * (i + 0.5);
      },
      scale: /** @type {Scale | null} */ (null),
    };
  }
  const nums = values.filter((v) => typeof v === 'number');
  const lo = p.low ?? Math.min(...nums);
  const hi = p.high ?? Math.max(...nums);
  const sc = p.log && lo > 0 ? logScale([lo, hi], range) : linear([lo, hi], range, false);
  return {
    categorical: false,
    labels: /** @type {string[]} */ ([]),
    positions: /** @type {number[]} */ ([]),
    /** @param {unknown} v */
    map: (v) => (typeof v === 'number' && Number.isFinite(v) ? sc.map(v) : null),
    scale: /** @type {Scale | null} */ (sc),
  };
}

/** Viridis, sampled: a sequential palette that reads in grey scale and with colour-vision deficiencies. */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** @param {number} t in [0, 1] */
export function viridis(t) {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  const mix = (/** @type {number} */ k) => Math.round(parseInt(a.slice(k, k + 2), 16) * (1 - f) + parseInt(b.slice(k, k + 2), 16) * f);
  return `rgb(${mix(1)},${mix(3)},${mix(5)})`;
}

/**
 * Parallel coordinates: one vertical axis per parameter and one for the objective; each completed
 * trial is a line, coloured by its value (yellow = best), the best ones drawn on top.
 * @param {{ space: SearchParam[]; trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string }} o
 */
export function parallelChart(o) {
  const H = 360;
  const m = { l: 50, r: 60, t: 30, b: 40 };
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number' && !t.invalid);
  const values = done.map((t) => /** @type {number} */ (t.value));
  const dims = o.space.length + 1;
  const colX = (/** @type {number} */ i) => m.l + ((W - m.l - m.r) * i) / Math.max(1, dims - 1);
  const yr = /** @type {[number, number]} */ ([H - m.b, m.t]);
  const axesList = o.space.map((p) =>
    paramAxis(
      p,
      yr,
      done.map((t) => t.config[p.name]),
    ),
  );
  const vScale = valueScale(values, yr);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const goodness = (/** @type {number} */ v) => (hi > lo ? (o.direction === 'maximize' ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)) : 1);
  const svg = svgRoot(
    'parallel',
    'Parallel coordinates of the completed trials',
    `${done.length} completed trials over ${o.space.length} parameter(s); colour shows ${o.metric}, yellow is best.`,
    W,
    H,
  );
  const lines = s('g', { class: 'pc-lines' });
  const order = done.map((t, i) => ({ t, g: goodness(values[i]) })).sort((a, b) => a.g - b.g);
  for (const { t, g } of order) {
    /** @type {string[]} */
    const pts = [];
    let gap = false;
    axesList.forEach((ax, i) => {
      const py = ax.map(t.config[o.space[i].name]);
      if (py === null) {
        gap = true;
        return;
      }
      pts.push(`${gap || !pts.length ? 'M' : 'L'}${colX(i).toFixed(1)},${py.toFixed(1)}`);
      gap = false;
    });
    pts.push(`${gap ? 'M' : 'L'}${colX(dims - 1).toFixed(1)},${vScale.map(/** @type {number} */ (t.value)).toFixed(1)}`);
    lines.append(
      s(
        'path',
        {
          d: pts.join(''),
          stroke: viridis(g),
          'stroke-opacity': 0.35 + 0.55 * g,
          'stroke-width': 1.2 + g,
          fill: 'none',
          class: 'mark',
          'data-trial': t.number,
        },
        s('title', {}, `#${t.number}: ${fmt(t.value)}\n${fmtConfig(t.config)}`),
      ),
    );
  }
  svg.append(lines);
  const axesG = s('g', { class: 'axes' });
  axesList.forEach((ax, i) => {
    const px = colX(i);
    axesG.append(
      s('line', { x1: px, x2: px, y1: yr[0], y2: yr[1], class: 'axis' }),
      s('text', { x: px, y: m.t - 12, class: 'label', 'text-anchor': 'middle' }, o.space[i].name),
    );
    if (ax.categorical) ax.labels.forEach((l, k) => axesG.append(s('text', { x: px + 5, y: ax.positions[k] + 4, class: 'tick halo' }, l)));
    else if (ax.scale) for (const t of ax.scale.ticks(4)) axesG.append(s('text', { x: px + 5, y: ax.scale.map(t) + 4, class: 'tick halo' }, fmt(t, 3)));
  });
  const vx = colX(dims - 1);
  axesG.append(
    s('line', { x1: vx, x2: vx, y1: yr[0], y2: yr[1], class: 'axis' }),
    s('text', { x: vx, y: m.t - 12, class: 'label', 'text-anchor': 'middle' }, o.metric),
  );
  for (const t of vScale.ticks(5)) axesG.append(s('text', { x: vx + 5, y: vScale.map(t) + 4, class: 'tick halo' }, fmt(t, 3)));
  svg.append(axesG);
  const bar = s('g', {});
  for (let i = 0; i < 20; i++) bar.append(s('rect', { x: W - 200 + i * 9, y: H - 14, width: 9, height: 8, fill: viridis(i / 19) }));
  svg.append(
    bar,
    s('text', { x: W - 206, y: H - 7, class: 'tick', 'text-anchor': 'end' }, 'worst'),
    s('text', { x: W - 16, y: H - 7, class: 'tick', 'text-anchor': 'end' }, 'best'),
  );
  return h('figure', { class: 'figure' }, svg);
}

/**
 * Slice plots: the objective against each parameter's value, one small chart per parameter.
 * @param {{ space: SearchParam[]; trials: DashboardTrial[]; direction: 'minimize' | 'maximize'; metric: string; onSelect?: (number: number) => void }} o
 */
export function sliceCharts(o) {
  const SW = 300;
  const SH = 220;
  const m = { l: 56, r: 10, t: 10, b: 44 };
  const done = o.trials.filter((t) => t.state === 'completed' && typeof t.value === 'number' && !t.invalid);
  const y = valueScale(
    done.map((t) => /** @type {number} */ (t.value)),
    [SH - m.b, m.t],
  );
  return h(
    'div',
    { class: 'slices' },
    o.space.map((p) => {
      const ax = paramAxis(
        p,
        [m.l, SW - m.r],
        done.map((t) => t.config[p.name]),
      );
      const active = done.filter((t) => ax.map(t.config[p.name]) !== null);
      const svg = svgRoot('slice', `${o.metric} against ${p.name}`, `${active.length} completed trials where ${p.name} is set.`, SW, SH);
      svg.setAttribute('data-param', p.name);
      const g = s('g', { class: 'axes' });
      for (const t of y.ticks(4)) {
        const py = y.map(t);
        g.append(
          s('line', { x1: m.l, x2: SW - m.r, y1: py, y2: py, class: 'grid' }),
          s('text', { x: m.l - 5, y: py + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t, 3)),
        );
      }
      if (ax.categorical) ax.labels.forEach((l, k) => g.append(s('text', { x: ax.positions[k], y: SH - m.b + 16, class: 'tick', 'text-anchor': 'middle' }, l)));
      else if (ax.scale)
        for (const t of ax.scale.ticks(4)) g.append(s('text', { x: ax.scale.map(t), y: SH - m.b + 16, class: 'tick', 'text-anchor': 'middle' }, fmt(t, 2)));
      g.append(
        s('line', { x1: m.l, x2: SW - m.r, y1: SH - m.b, y2: SH - m.b, class: 'axis' }),
        s('text', { x: (m.l + SW - m.r) / 2, y: SH - 8, class: 'label', 'text-anchor': 'middle' }, `${p.name}${p.log ? ' (log)' : ''}`),
      );
      svg.append(g);
      const marks = s('g', {});
      for (const t of active) {
        const f = familyOf(t.strategy, t.proposedBy);
        let px = /** @type {number} */ (ax.map(t.config[p.name]));
        // Spread the points of one choice a little, so that they do not hide each other.
        if (ax.categorical) px += (((t.number * 7919) % 21) - 10) * 0.9;
        marks.append(
          s(
            'path',
            {
              d: markerPath(f.shape, px, y.map(/** @type {number} */ (t.value)), 3.5),
              fill: f.colour,
              stroke: '#1b1b1b',
              'stroke-width': 0.5,
              'fill-opacity': 0.85,
              class: 'mark',
              'data-trial': t.number,
              onclick: o.onSelect ? () => o.onSelect?.(t.number) : null,
            },
            s('title', {}, `#${t.number}: ${p.name}=${fmtValue(t.config[p.name])} → ${fmt(t.value)}`),
          ),
        );
      }
      svg.append(marks);
      return h('figure', { class: 'slice' }, svg);
    }),
  );
}

/**
 * Intermediate values (learning curves): one line per trial that reported any, coloured by its state.
 * @param {{ trials: DashboardTrial[]; onSelect?: (number: number) => void }} o
 */
export function intermediateChart(o) {
  const H = 320;
  const m = { l: 70, r: 16, t: 14, b: 50 };
  const withCurves = o.trials.filter((t) => t.intermediate.length > 0);
  const steps = withCurves.flatMap((t) => t.intermediate.map((p) => p.step));
  const vals = withCurves.flatMap((t) => t.intermediate.map((p) => p.value));
  const x = linear([Math.min(...steps), Math.max(...steps)], [m.l, W - m.r], true, true);
  const y = valueScale(vals, [H - m.b, m.t]);
  /** @type {Record<string, string>} */
  const colours = { completed: '#0072B2', running: '#009E73', pruned: '#E69F00', failed: FAILED_COLOUR, stale: '#7F7F7F', queued: '#7F7F7F' };
  const svg = svgRoot('intermediate', 'Intermediate values (learning curves)', `${withCurves.length} trial(s) reported intermediate values.`, W, H);
  svg.append(axes(x, y, { xLabel: 'step', yLabel: 'intermediate value' }));
  const g = s('g', {});
  for (const t of withCurves) {
    const d = t.intermediate.map((p, i) => `${i ? 'L' : 'M'}${x.map(p.step).toFixed(1)},${y.map(p.value).toFixed(1)}`).join('');
    const colour = colours[t.state] ?? '#7F7F7F';
    g.append(
      s(
        'path',
        {
          d,
          stroke: colour,
          'stroke-width': 1.8,
          fill: 'none',
          class: 'mark',
          'data-trial': t.number,
          onclick: o.onSelect ? () => o.onSelect?.(t.number) : null,
        },
        s('title', {}, `#${t.number} (${t.state}): ${t.intermediate.length} step(s), last ${fmt(t.intermediate.at(-1)?.value)}`),
      ),
    );
    if (t.intermediate.length === 1) {
      const p = t.intermediate[0];
      g.append(s('circle', { cx: x.map(p.step), cy: y.map(p.value), r: 3, fill: colour, class: 'mark' }));
    }
  }
  svg.append(g);
  const states = [...new Set(withCurves.map((t) => t.state))];
  return h(
    'figure',
    { class: 'figure' },
    svg,
    legend(states.map((st) => ({ label: st, colour: colours[st] ?? '#7F7F7F', line: /** @type {const} */ ('solid') }))),
  );
}
