// @ts-check
// The dashboard: a read-only view of the API for people. Hash routes (#/, #/experiments/<id>,
// #/experiments/<id>/trials/<n>, #/datasets/<id>/similar), so the service serves one page.
import { Unauthorized, UNAUTHORIZED_HELP, api, clearKey, getKey, setKey } from './api.js';
import { disposeCharts, historyChart, importanceChart, intermediateChart, parallelChart, sliceCharts, warmStartChart } from './charts.js';
import { fmt, fmtConfig, fmtDuration, fmtTime, fmtValue, h, replace, s } from './dom.js';
import { EXPLAIN, FAMILIES, familyOf, markerPath } from './strategies.js';

/** @typedef {import('../types').ExperimentList} ExperimentList */
/** @typedef {import('../types').ExperimentListItem} ExperimentListItem */
/** @typedef {import('../types').Dashboard} Dashboard */
/** @typedef {import('../types').DashboardTrial} DashboardTrial */
/** @typedef {import('../types').TrialWhy} TrialWhy */
/** @typedef {import('../types').ExperimentDetail} ExperimentDetail */
/** @typedef {import('../types').Similar} Similar */
/** @typedef {import('../types').SearchParam} SearchParam */

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {{ neo4jBrowserUrl: string | null; pollSeconds: number }} */
let config = { neo4jBrowserUrl: null, pollSeconds: 3 };
/** Stops the current page's timers and listeners when another page is shown. */
/** @type {(() => void)[]} */
let teardown = [];
/** @type {{ kind: string; id?: string; select?: (n: number | null) => void } | null} */
let current = null;
/** Shown on the login page after a 401 sent the person there. */
let loginMessage = '';
/** Whether the list page was re-rendered by typing in its name filter. */
let keepNameFocus = false;

function browserBase() {
  return config.neo4jBrowserUrl ?? `${window.location.protocol}//${window.location.hostname}:7474/browser/`;
}

/** A link that opens Neo4j Browser with `cypher` in its editor (`?cmd=edit&arg=…`; it runs when the person presses ▶). */
function browserLink(/** @type {string} */ cypher, /** @type {string} */ text) {
  const url = new URL(browserBase());
  url.searchParams.set('cmd', 'edit');
  url.searchParams.set('arg', cypher);
  return h('a', { href: url.toString(), target: '_blank', rel: 'noopener', class: 'browser-link', 'data-testid': 'browser-link' }, text, ' ↗');
}

/** The route in the hash: its path segments and query. */
function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

function stopPage() {
  for (const f of teardown) f();
  teardown = [];
  current = null;
}

function shell(/** @type {Node[]} */ ...content) {
  const logout = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      onclick: () => {
        clearKey();
        loginMessage = 'Logged out: the key is forgotten in this tab.';
        stopPage();
        route();
      },
    },
    'Log out',
  );
  replace(
    root,
    h(
      'header',
      { class: 'top' },
      h('a', { href: '#/', class: 'brand' }, 'precedent'),
      h('nav', { 'aria-label': 'main' }, h('a', { href: '#/' }, 'Experiments'), h('a', { href: '../docs', target: '_blank', rel: 'noopener' }, 'API docs')),
      logout,
    ),
    h('main', { id: 'main' }, ...content),
  );
}

/** @param {unknown} err */
function showError(err, /** @type {HTMLElement} */ where) {
  if (err instanceof Unauthorized) {
    loginMessage = err.message;
    stopPage();
    route();
    return;
  }
  replace(where, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
}

// ---------------------------------------------------------------- login

function loginPage() {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', size: 48 });
  const message = h('p', { class: loginMessage ? 'error' : 'hint', role: 'alert', 'data-testid': 'login-message' }, loginMessage);
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: async (/** @type {SubmitEvent} */ e) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        replace(message, 'Checking the key…');
        message.className = 'hint';
        try {
          await api('dashboard/experiments?limit=1', { key });
          setKey(key);
          loginMessage = '';
          route();
        } catch (err) {
          message.className = 'error';
          replace(message, err instanceof Unauthorized ? UNAUTHORIZED_HELP : err instanceof Error ? err.message : String(err));
        }
      },
    },
    h('h1', {}, 'precedent dashboard'),
    h('p', {}, 'Experiments, what the knowledge graph taught them, and why each configuration was suggested. Read-only.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Log in'),
    message,
    h('p', { class: 'hint' }, 'The key is kept in this tab’s session storage only, and sent to this service as a Bearer token.'),
  );
  replace(root, h('main', { id: 'main', class: 'narrow' }, form));
  input.focus();
}

// ---------------------------------------------------------------- experiments list

const SORTS = /** @type {const} */ ([
  ['name', 'Experiment'],
  ['dataset', 'Dataset'],
  ['model', 'Model'],
  ['status', 'Status'],
  ['trials', 'Progress'],
  ['best', 'Best value'],
  ['priors', 'Warm start'],
  ['updated', 'Updated'],
]);

async function listPage(/** @type {URLSearchParams} */ query) {
  const q = {
    name: query.get('name') ?? '',
    model: query.get('model') ?? '',
    datasetId: query.get('datasetId') ?? '',
    status: query.get('status') ?? '',
    warmStarted: query.get('warmStarted') ?? '',
    sort: query.get('sort') ?? 'created',
    order: query.get('order') ?? 'desc',
    offset: Number(query.get('offset') ?? 0) || 0,
  };
  const body = h('div', { class: 'loading' }, 'Loading experiments…');
  shell(h('h1', {}, 'Experiments'), body);
  current = { kind: 'list' };
  const params = new URLSearchParams({ limit: '50', offset: String(q.offset), sort: q.sort, order: q.order });
  for (const k of /** @type {const} */ (['name', 'model', 'datasetId', 'status', 'warmStarted'])) if (q[k]) params.set(k, q[k]);
  /** @type {ExperimentList} */
  let list;
  try {
    list = await api(`dashboard/experiments?${params}`);
  } catch (err) {
    showError(err, body);
    return;
  }
  const go = (/** @type {Record<string, string | number>} */ change) => {
    const next = new URLSearchParams();
    const merged = { ...q, offset: 0, ...change };
    for (const [k, v] of Object.entries(merged))
      if (v !== '' && v !== 0 && !(k === 'sort' && v === 'created') && !(k === 'order' && v === 'desc')) next.set(k, String(v));
    window.location.hash = `#/?${next}`;
  };
  /** @param {string} label @param {string} key @param {string[][]} options */
  const select = (label, key, options) =>
    h(
      'label',
      {},
      label,
      h(
        'select',
        { name: key, onchange: (/** @type {Event} */ e) => go({ [key]: /** @type {HTMLSelectElement} */ (e.target).value }) },
        h('option', { value: '' }, 'all'),
        options.map(([v, text]) => h('option', { value: v, selected: v === q[/** @type {keyof typeof q} */ (key)] }, text)),
      ),
    );
  let timer = 0;
  const nameInput = h('input', {
    id: 'filter-name',
    type: 'search',
    name: 'name',
    value: q.name,
    placeholder: 'name contains…',
    oninput: (/** @type {Event} */ e) => {
      clearTimeout(timer);
      const value = /** @type {HTMLInputElement} */ (e.target).value;
      timer = window.setTimeout(() => {
        keepNameFocus = true;
        go({ name: value });
      }, 350);
    },
  });
  const filters = h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
    h('label', {}, 'Name', nameInput),
    select(
      'Model',
      'model',
      list.facets.models.map((m) => [m, m]),
    ),
    select(
      'Dataset',
      'datasetId',
      list.facets.datasets.map((d) => [d.id, d.version === '1' ? d.name : `${d.name}@${d.version}`]),
    ),
    select('Status', 'status', [
      ['running', 'running'],
      ['paused', 'paused'],
      ['finished', 'finished'],
    ]),
    select('Warm-started', 'warmStarted', [
      ['yes', 'yes (learned from priors)'],
      ['no', 'no'],
    ]),
  );
  const header = h(
    'tr',
    {},
    SORTS.map(([key, label]) => {
      const active = q.sort === key;
      const order = active && q.order === 'desc' ? 'asc' : 'desc';
      return h(
        'th',
        { scope: 'col', 'aria-sort': active ? (q.order === 'asc' ? 'ascending' : 'descending') : null },
        h('button', { type: 'button', class: 'sort', onclick: () => go({ sort: key, order }) }, label, active ? (q.order === 'asc' ? ' ▲' : ' ▼') : ''),
      );
    }),
  );
  const rows = list.items.map((it) => experimentRow(it));
  const pager = h(
    'div',
    { class: 'pager' },
    `${list.total ? q.offset + 1 : 0}–${q.offset + list.items.length} of ${list.total}`,
    q.offset > 0 ? h('button', { type: 'button', onclick: () => go({ ...q, offset: Math.max(0, q.offset - 50) }) }, '← previous') : null,
    list.nextOffset !== null ? h('button', { type: 'button', onclick: () => go({ ...q, offset: /** @type {number} */ (list.nextOffset) }) }, 'next →') : null,
  );
  replace(
    body,
    filters,
    list.items.length
      ? h('table', { class: 'grid-table', 'data-testid': 'experiments' }, h('thead', {}, header), h('tbody', {}, rows))
      : h('p', { class: 'hint' }, list.total === 0 && !query.toString() ? 'No experiments in this project yet.' : 'No experiment matches these filters.'),
    pager,
  );
  body.className = '';
  // Typing in the name filter re-renders the list: the cursor stays in the field.
  if (keepNameFocus) {
    keepNameFocus = false;
    nameInput.focus();
    nameInput.setSelectionRange(nameInput.value.length, nameInput.value.length);
  }
}

/** @param {ExperimentListItem} it */
function experimentRow(it) {
  const e = it.experiment;
  const max = e.budget.maxTrials;
  const arrow = e.objective.direction === 'maximize' ? '↑' : '↓';
  return h(
    'tr',
    {},
    h('td', {}, h('a', { href: `#/experiments/${e.id}`, class: 'strong' }, e.name)),
    h('td', {}, h('a', { href: `#/datasets/${e.datasetId}/similar`, title: 'similar experiments for this dataset' }, e.datasetName)),
    h('td', {}, e.model.name),
    h('td', {}, h('span', { class: `status ${e.status}` }, e.status)),
    h(
      'td',
      { class: 'progress-cell' },
      max ? h('progress', { max, value: Math.min(e.trialCount, max), 'aria-label': `${e.trialCount} of ${max} trials` }) : null,
      ` ${e.trialCount}${max ? ` / ${max}` : ''}`,
      it.failedTrials ? h('span', { class: 'failed-count' }, ` (${it.failedTrials} failed)`) : null,
    ),
    h('td', { class: 'num' }, it.bestValue === null ? '–' : `${fmt(it.bestValue)} ${e.objective.metric} ${arrow}`),
    h('td', {}, e.warmStart.mode === 'off' ? 'off' : `${e.warmStart.mode} · ${it.priors} prior${it.priors === 1 ? '' : 's'}`),
    h('td', {}, fmtTime(e.updatedAt)),
  );
}

// ---------------------------------------------------------------- one experiment

/** @param {string} title @param {string} id @param {...(Node | string | null)} children */
function section(title, id, ...children) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

/**
 * @param {string} id
 * @param {number | null} selected
 */
async function experimentPage(id, selected) {
  const head = h('div', { class: 'loading' }, 'Loading the experiment…');
  const live = h('p', { class: 'live', 'aria-live': 'polite', 'data-testid': 'live' });
  const slots = {
    history: h('div', {}),
    warm: h('div', {}),
    importance: h('div', {}),
    parallel: h('div', {}),
    slices: h('div', {}),
    intermediate: h('div', {}),
    trials: h('div', {}),
    similar: h('div', {}, h('p', { class: 'hint' }, 'Loading similar experiments…')),
  };
  const intermediateSection = section(
    'Intermediate values',
    'intermediate',
    h('p', { class: 'hint' }, 'Learning curves the trials reported (POST /v1/trials/{id}/report).'),
    slots.intermediate,
  );
  const why = h('aside', { class: 'why', hidden: true, 'aria-label': 'Why this configuration', 'data-testid': 'why' });
  shell(
    head,
    live,
    section('Optimisation history', 'history', slots.history),
    section('Warm start at a glance', 'warm', slots.warm),
    section('Parameter importance', 'importance', slots.importance),
    section('Parallel coordinates', 'parallel', slots.parallel),
    section('Slice plots', 'slices', h('p', { class: 'hint' }, 'The objective against each parameter; click a point for why it was tried.'), slots.slices),
    intermediateSection,
    section('Trials', 'trials', slots.trials),
    section('Similar experiments', 'similar', slots.similar),
    why,
  );
  /** @type {Dashboard | null} */
  let data = null;
  const table = { page: 0, sort: 'number', order: 'asc', state: '', family: '' };
  /** @type {number | null} */
  let openTrial = selected;
  let alive = true;
  teardown.push(() => {
    alive = false;
    disposeCharts(root);
  });

  const select = (/** @type {number | null} */ n) => {
    const target = n === null ? `#/experiments/${id}` : `#/experiments/${id}/trials/${n}`;
    if (window.location.hash !== target) window.location.hash = target;
  };
  current = {
    kind: 'experiment',
    id,
    select: (n) => {
      openTrial = n;
      void showWhy();
    },
  };

  const render = () => {
    if (!data) return;
    const d = data;
    const e = d.experiment;
    const space = /** @type {SearchParam[]} */ (e.searchSpace);
    document.title = `${e.name} · precedent`;
    // Every chart is drawn again: the Vega views of the previous ones are stopped first.
    disposeCharts(root);
    renderHead(head, d);
    head.className = '';
    replace(slots.history, historyChart({ trials: d.trials, direction: e.objective.direction, metric: e.objective.metric, onSelect: select }));
    renderWarm(slots.warm, d);
    renderImportance(slots.importance, d);
    const completed = d.trials.some((t) => t.state === 'completed');
    replace(
      slots.parallel,
      completed
        ? parallelChart({ space, trials: d.trials, direction: e.objective.direction, metric: e.objective.metric })
        : h('p', { class: 'hint' }, 'No completed trial yet.'),
    );
    replace(
      slots.slices,
      completed
        ? sliceCharts({ space, trials: d.trials, direction: e.objective.direction, metric: e.objective.metric, onSelect: select })
        : h('p', { class: 'hint' }, 'No completed trial yet.'),
    );
    const curves = d.trials.some((t) => t.intermediate.length > 0);
    intermediateSection.hidden = !curves;
    replace(slots.intermediate, curves ? intermediateChart({ trials: d.trials, onSelect: select }) : '');
    renderTrials();
  };

  const renderTrials = () => {
    if (!data) return;
    const d = data;
    const states = [...new Set(d.trials.map((t) => t.state))].sort();
    let rows = d.trials.filter((t) => (!table.state || t.state === table.state) && (!table.family || familyOf(t.strategy, t.proposedBy).id === table.family));
    const dir = table.order === 'asc' ? 1 : -1;
    const keyOf = (/** @type {DashboardTrial} */ t) => (table.sort === 'value' ? t.value : table.sort === 'duration' ? t.durationSeconds : t.number);
    rows = [...rows].sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      if (ka === null && kb === null) return a.number - b.number;
      if (ka === null) return 1;
      if (kb === null) return -1;
      return (ka - kb) * dir || a.number - b.number;
    });
    const per = 50;
    const pages = Math.max(1, Math.ceil(rows.length / per));
    table.page = Math.min(table.page, pages - 1);
    const shown = rows.slice(table.page * per, (table.page + 1) * per);
    const sortButton = (/** @type {string} */ key, /** @type {string} */ label) =>
      h(
        'button',
        {
          type: 'button',
          class: 'sort',
          onclick: () => {
            table.order = table.sort === key && table.order === 'asc' ? 'desc' : 'asc';
            table.sort = key;
            renderTrials();
          },
        },
        label,
        table.sort === key ? (table.order === 'asc' ? ' ▲' : ' ▼') : '',
      );
    const filterSelect = (/** @type {string} */ label, /** @type {'state' | 'family'} */ key, /** @type {string[][]} */ options) =>
      h(
        'label',
        {},
        label,
        h(
          'select',
          {
            onchange: (/** @type {Event} */ e) => {
              table[key] = /** @type {HTMLSelectElement} */ (e.target).value;
              table.page = 0;
              renderTrials();
            },
          },
          h('option', { value: '' }, 'all'),
          options.map(([v, t]) => h('option', { value: v, selected: table[key] === v }, t)),
        ),
      );
    replace(
      slots.trials,
      h(
        'div',
        { class: 'filters' },
        filterSelect(
          'State',
          'state',
          states.map((st) => [st, st]),
        ),
        filterSelect(
          'Strategy',
          'family',
          FAMILIES.filter((f) => d.trials.some((t) => familyOf(t.strategy, t.proposedBy) === f)).map((f) => [f.id, f.label]),
        ),
        h('span', { class: 'hint' }, `${rows.length} of ${d.trials.length} trials`),
      ),
      h(
        'table',
        { class: 'grid-table trials', 'data-testid': 'trials' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, sortButton('number', '#')),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, sortButton('value', d.experiment.objective.metric)),
            h('th', { scope: 'col' }, 'Strategy'),
            h('th', { scope: 'col' }, 'Configuration'),
            h('th', { scope: 'col' }, sortButton('duration', 'Duration')),
            h('th', { scope: 'col' }, 'Why'),
          ),
        ),
        h(
          'tbody',
          {},
          shown.map((t) =>
            h(
              'tr',
              { class: t.number === openTrial ? 'selected' : '', 'data-trial': t.number },
              h('td', { class: 'num' }, String(t.number)),
              h('td', {}, h('span', { class: `state ${t.state}` }, t.state), t.invalid ? h('span', { class: 'state failed' }, ' invalid') : null),
              h('td', { class: 'num' }, fmt(t.value)),
              h('td', {}, strategyChip(t.strategy, t.proposedBy)),
              h('td', { class: 'config' }, fmtConfig(t.config)),
              h('td', { class: 'num' }, fmtDuration(t.durationSeconds)),
              h('td', {}, h('button', { type: 'button', class: 'why-button', onclick: () => select(t.number) }, 'why?')),
            ),
          ),
        ),
      ),
      pages > 1
        ? h(
            'div',
            { class: 'pager' },
            `page ${table.page + 1} of ${pages}`,
            table.page > 0
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: () => {
                      table.page--;
                      renderTrials();
                    },
                  },
                  '← previous',
                )
              : null,
            table.page < pages - 1
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: () => {
                      table.page++;
                      renderTrials();
                    },
                  },
                  'next →',
                )
              : null,
          )
        : null,
    );
  };

  const showWhy = async () => {
    if (openTrial === null || !data) {
      why.hidden = true;
      replace(why);
      renderTrials();
      return;
    }
    const n = openTrial;
    const t = data.trials.find((x) => x.number === n);
    why.hidden = false;
    renderTrials();
    if (!t) {
      replace(why, closeButton(), h('p', { class: 'error' }, `This experiment has no trial #${n}.`));
      return;
    }
    replace(why, closeButton(), h('p', { class: 'hint' }, `Loading trial #${n}…`));
    try {
      /** @type {TrialWhy} */
      const w = await api(`trials/${t.id}/why`);
      if (openTrial !== n || !alive) return;
      replace(why, closeButton(), ...renderWhy(w));
      why.focus();
    } catch (err) {
      showError(err, why);
    }
  };
  const closeButton = () => h('button', { type: 'button', class: 'close', 'aria-label': 'close', onclick: () => select(null) }, '×');
  const onKey = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Escape' && openTrial !== null) select(null);
  };
  document.addEventListener('keydown', onKey);
  teardown.push(() => document.removeEventListener('keydown', onKey));
  why.tabIndex = -1;

  const load = async () => {
    /** @type {Dashboard} */
    const next = await api(`experiments/${id}/dashboard`);
    if (!alive) return;
    data = next;
    render();
  };
  try {
    await load();
  } catch (err) {
    showError(err, head);
    return;
  }
  if (openTrial !== null) void showWhy();
  void loadSimilar(id, slots.similar);

  // Live: while the experiment runs, poll its summary (small) and reload the page's data when it
  // changed; running trials may report learning-curve points, which the summary does not show, so
  // then the data is reloaded every fourth poll anyway.
  /** @param {ExperimentDetail | Dashboard['experiment']} x */
  const signature = (x) => JSON.stringify([x.updatedAt, x.trialCount, x.status, Object.entries(x.counts).sort()]);
  const first = /** @type {Dashboard | null} */ (data);
  let seen = first ? signature(first.experiment) : '';
  let polls = 0;
  let busy = false;
  const poll = async () => {
    if (busy || document.hidden || !data) return;
    busy = true;
    try {
      /** @type {ExperimentDetail} */
      const summary = await api(`experiments/${id}`);
      polls++;
      const sig = signature(summary);
      const open = (summary.counts.running ?? 0) + (summary.counts.queued ?? 0) > 0;
      if (sig !== seen || (open && polls % 4 === 0)) {
        await load();
        seen = sig;
        if (openTrial !== null) void showWhy();
      }
      replace(live, summary.status === 'running' ? `● Live: checked ${new Date().toLocaleTimeString()}; refreshes every ${config.pollSeconds} s.` : '');
      if (summary.status !== 'running') stop();
    } catch (err) {
      if (err instanceof Unauthorized) showError(err, live);
      else replace(live, h('span', { class: 'error' }, `Live update failed (${err instanceof Error ? err.message : String(err)}); retrying.`));
    } finally {
      busy = false;
    }
  };
  const timer = window.setInterval(() => void poll(), config.pollSeconds * 1000);
  const stop = () => window.clearInterval(timer);
  teardown.push(stop);
  if (first?.experiment.status === 'running') replace(live, `● Live: refreshes every ${config.pollSeconds} s while the experiment runs.`);
  else stop();
}

/** @param {string | null} strategy @param {string} proposedBy */
function strategyChip(strategy, proposedBy) {
  const f = familyOf(strategy, proposedBy);
  return h(
    'span',
    { class: 'chip', title: f.label },
    s(
      'svg',
      { viewBox: '0 0 14 14', width: 14, height: 14, 'aria-hidden': 'true' },
      s('path', { d: markerPath(f.shape, 7, 7, 4.5), fill: f.colour, stroke: '#1b1b1b', 'stroke-width': 0.6 }),
    ),
    strategy ?? (proposedBy === 'import' ? 'imported' : proposedBy),
  );
}

/** @param {HTMLElement} head @param {Dashboard} d */
function renderHead(head, d) {
  const e = d.experiment;
  const max = e.budget.maxTrials;
  const best = d.trials.find((t) => t.id === e.bestTrialId);
  const failed = e.counts.failed ?? 0;
  const priors = d.warmStart.priors.length;
  replace(
    head,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Experiments'), ' / '),
    h('h1', { 'data-testid': 'experiment-name' }, e.name),
    h(
      'dl',
      { class: 'facts' },
      fact('Status', h('span', { class: `status ${e.status}` }, e.status)),
      fact('Dataset', h('a', { href: `#/datasets/${e.datasetId}/similar` }, e.datasetName)),
      fact('Model', `${e.model.name}${e.model.library ? ` (${e.model.library})` : ''}`),
      fact('Objective', `${e.objective.direction} ${e.objective.metric}`),
      fact(
        'Progress',
        max ? h('progress', { max, value: Math.min(e.trialCount, max) }) : null,
        ` ${e.trialCount}${max ? ` / ${max}` : ''} trials; ${e.counts.completed ?? 0} completed${failed ? `, ${failed} failed` : ''}`,
      ),
      fact('Best', best ? `${fmt(best.value)} (trial #${best.number})` : '–'),
      fact('Warm start', `${e.warmStart.mode}; learned from ${priors} prior experiment${priors === 1 ? '' : 's'}`),
      fact('Neo4j Browser', browserLink(d.browserQuery, 'open this experiment')),
    ),
  );
}

/** @param {string} term @param {...(Node | string | null)} detail */
function fact(term, ...detail) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, ...detail));
}

/** @param {HTMLElement} slot @param {Dashboard} d */
function renderWarm(slot, d) {
  const w = d.warmStart;
  if (!w.priors.length && !w.cold) {
    replace(
      slot,
      h(
        'p',
        { class: 'hint' },
        d.experiment.warmStart.mode === 'off'
          ? 'Warm start is off for this experiment, and the project has no other experiment of this model to compare with.'
          : 'This experiment has not learned from any prior experiment yet, and the project has no cold experiment of this model to compare with.',
      ),
    );
    return;
  }
  replace(
    slot,
    h('p', { class: 'hint' }, `Each curve is the ${w.normalisation}.`),
    warmStartChart({ target: w.target, priors: w.priors, cold: w.cold }),
    w.priors.length
      ? h(
          'table',
          { class: 'grid-table', 'data-testid': 'priors' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Prior experiment', 'Dataset', 'Similarity', 'Weight', 'Used by', 'Completed', 'Best'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            w.priors.map((p) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  p.projectId === d.experiment.projectId
                    ? h('a', { href: `#/experiments/${p.experimentId}`, class: 'prior-link' }, p.name)
                    : `${p.name} (shared)`,
                ),
                h('td', {}, p.datasetName),
                h('td', { class: 'num' }, fmt(p.similarity, 3)),
                h('td', { class: 'num' }, fmt(p.weight, 3)),
                h('td', { class: 'num' }, `${p.uses} suggestion${p.uses === 1 ? '' : 's'}`),
                h('td', { class: 'num' }, String(p.completedTrials)),
                h('td', { class: 'num' }, fmt(p.best)),
              ),
            ),
          ),
        )
      : h('p', { class: 'hint' }, 'No prior experiment yet: only the cold runs are shown.'),
  );
}

/** @param {HTMLElement} slot @param {Dashboard} d */
function renderImportance(slot, d) {
  const imp = d.importance;
  replace(
    slot,
    h(
      'p',
      { class: 'hint' },
      `PED-ANOVA on ${imp.trials} completed trial${imp.trials === 1 ? '' : 's'}: how much each parameter’s distribution among the best ${Math.round(imp.quantile * 100)}% ` +
        `(${imp.topTrials} trials${imp.cutoff === null ? '' : `, ${d.experiment.objective.metric} ${d.experiment.objective.direction === 'maximize' ? '≥' : '≤'} ${fmt(imp.cutoff)}`}) ` +
        'differs from its distribution over all trials. ',
      h('cite', {}, imp.reference),
      '.',
    ),
    imp.notes.length ? h('p', { class: 'hint' }, imp.notes.join(' ')) : null,
    importanceChart(imp),
  );
}

/** @param {TrialWhy} w */
function renderWhy(w) {
  const t = w.trial;
  /** @type {any} */
  const prov = t.provenance ?? {};
  const byId = new Map(w.experiments.map((x) => [x.experimentId, x]));
  const expLink = (/** @type {string} */ id) => {
    const x = byId.get(id);
    if (!x) return h('span', { class: 'hint' }, `${id.slice(0, 8)}… (not visible with this key)`);
    return h('a', { href: `#/experiments/${x.experimentId}`, class: 'prior-link' }, x.name);
  };
  const strategy = t.strategy ?? null;
  const family = familyOf(strategy, t.proposedBy);
  /** @type {{ experimentId: string; similarity?: number; weight: number }[]} */
  const priors = Array.isArray(prov.priors) ? prov.priors : [];
  /** @type {string[]} */
  const notes = Array.isArray(prov.notes) ? prov.notes : [];
  const model = prov.model;
  /** @type {(Node | null)[]} */
  const out = [
    h('h2', {}, `Why trial #${t.number}`),
    h(
      'p',
      {},
      strategyChip(strategy, t.proposedBy),
      ' ',
      family.id === 'imported' ? 'Imported history: no record of how it was chosen.' : (EXPLAIN[strategy ?? 'manual'] ?? ''),
    ),
    h(
      'dl',
      { class: 'facts compact' },
      fact('State', t.state, t.invalid ? ` (invalidated: ${t.invalidReason ?? 'no reason given'})` : ''),
      fact('Value', fmt(t.value)),
      fact('Duration', fmtDuration(t.durationSeconds)),
      t.user ? fact('By', t.user) : null,
      t.reason && t.proposedBy === 'person' ? fact('Reason', t.reason) : null,
      t.failReason ? fact('Failure', t.failReason) : null,
      prov.optimizerVersion ? fact('Optimizer', String(prov.optimizerVersion)) : null,
      prov.acquisition ? fact('Acquisition', `${prov.acquisition.name} = ${fmt(prov.acquisition.value)}`) : null,
    ),
    h('h3', {}, 'Configuration'),
    h(
      'table',
      { class: 'kv' },
      h(
        'tbody',
        {},
        Object.entries(t.config).map(([k, v]) =>
          h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v === null ? h('span', { class: 'hint' }, 'inactive') : fmtValue(v))),
        ),
      ),
    ),
  ];
  if (priors.length) {
    out.push(
      h('h3', {}, `Priors it learned from (${priors.length})`),
      h(
        'table',
        { class: 'grid-table', 'data-testid': 'why-priors' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Experiment', 'Dataset', 'Similarity', 'Weight'].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          priors.map((p) =>
            h(
              'tr',
              {},
              h('td', {}, expLink(p.experimentId)),
              h('td', {}, byId.get(p.experimentId)?.datasetName ?? '–'),
              h('td', { class: 'num' }, fmt(p.similarity ?? byId.get(p.experimentId)?.link?.similarity ?? null, 3)),
              h('td', { class: 'num' }, fmt(p.weight, 3)),
            ),
          ),
        ),
      ),
    );
  }
  if (w.sources.length) {
    out.push(
      h('h3', {}, w.sources.length === 1 ? 'Taken from this prior trial' : 'Taken from these prior trials'),
      ...w.sources.map((src) =>
        h(
          'p',
          { class: 'source', 'data-testid': 'why-source' },
          'Trial #',
          String(src.number),
          ' of ',
          expLink(src.experimentId),
          ` (${src.datasetName}): ${fmt(src.value)} with ${fmtConfig(src.config)}`,
        ),
      ),
    );
  }
  if (model) {
    const rgpe = Array.isArray(model.rgpeWeights) ? model.rgpeWeights : [];
    out.push(
      h('h3', {}, 'The model'),
      h(
        'p',
        {},
        `Gaussian process on ${model.n ?? '?'} observation(s)` +
          (model.fittedN !== undefined && model.fittedN !== model.n ? ` (hyperparameters fitted on ${model.fittedN})` : '') +
          (model.outputTransform ? `, output transform ${model.outputTransform}` : '') +
          (typeof model.noise === 'number' ? `, noise ${fmt(model.noise, 3)}` : '') +
          '.',
      ),
      rgpe.length
        ? h(
            'table',
            { class: 'grid-table' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'RGPE member'), h('th', { scope: 'col' }, 'Weight'))),
            h(
              'tbody',
              {},
              rgpe.map((/** @type {{ experimentId: string; weight: number }} */ r) =>
                h(
                  'tr',
                  {},
                  h('td', {}, r.experimentId === 'target' ? 'this experiment' : expLink(r.experimentId)),
                  h('td', { class: 'num' }, fmt(r.weight, 3)),
                ),
              ),
            ),
          )
        : null,
    );
  }
  if (notes.length)
    out.push(
      h('h3', {}, 'Notes'),
      h(
        'ul',
        { class: 'notes' },
        notes.map((n) => h('li', {}, n)),
      ),
    );
  out.push(h('p', {}, browserLink(w.browserQuery, 'Open this trial’s subgraph in Neo4j Browser')));
  return out;
}

/** @param {Similar['items']} items @param {string | null} selfId */
function similarTable(items, selfId) {
  if (!items.length) return h('p', { class: 'hint' }, 'No similar experiment found.');
  return h(
    'table',
    { class: 'grid-table', 'data-testid': 'similar' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Experiment', 'Dataset', 'Model', 'Similarity', 'What made it similar', 'Best'].map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      items
        .filter((it) => it.experiment.id !== selfId)
        .map((it) => {
          const r = it.reasons;
          const why = [];
          if (r.metaFeatures) {
            const close = r.metaFeatures.closest.map((f) => f.name).join(', ');
            const far = r.metaFeatures.farthest.map((f) => f.name).join(', ');
            why.push(
              `meta-features ${fmt(r.metaFeatures.similarity, 3)} over ${r.metaFeatures.sharedFeatures} shared${close ? ` (closest: ${close}` : ''}${far ? `; farthest: ${far})` : close ? ')' : ''}`,
            );
          }
          if (r.sameModel) why.push('same model');
          if (r.sameObjective) why.push('same objective');
          if (r.searchSpaceOverlap !== null)
            why.push(
              `search space overlap ${Math.round(r.searchSpaceOverlap * 100)}%${r.sharedParameters.length ? ` (${r.sharedParameters.join(', ')})` : ''}`,
            );
          return h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/experiments/${it.experiment.id}` }, it.experiment.name)),
            h('td', {}, it.experiment.datasetName),
            h('td', {}, it.experiment.model.name),
            h('td', { class: 'num' }, fmt(it.similarity, 3)),
            h('td', {}, why.length ? why.join('; ') : '–'),
            h('td', { class: 'num' }, it.bestTrial ? `${fmt(it.bestTrial.value)} (${it.completedTrials} trials)` : '–'),
          );
        }),
    ),
  );
}

/** @param {string} id @param {HTMLElement} slot */
async function loadSimilar(id, slot) {
  try {
    /** @type {Similar} */
    const sim = await api(`experiments/${id}/similar?k=10`);
    replace(
      slot,
      h(
        'p',
        { class: 'hint' },
        'Experiments of the same model and objective on the datasets with the nearest meta-features (GET /v1/experiments/{id}/similar).',
      ),
      similarTable(sim.items, id),
    );
  } catch (err) {
    showError(err, slot);
  }
}

/** @param {string} datasetId */
async function datasetSimilarPage(datasetId) {
  const title = h('h1', {}, 'Experiments similar to a dataset');
  const body = h('div', { class: 'loading' }, 'Loading…');
  shell(h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Experiments'), ' / '), title, body);
  current = { kind: 'dataset' };
  try {
    /** @type {[Similar, { name: string; version: string; taskType: string; metaFeatures: Record<string, number> }]} */
    const [sim, dataset] = await Promise.all([api('similar-experiments', { method: 'POST', body: { datasetId, k: 20 } }), api(`datasets/${datasetId}`)]);
    replace(title, `Experiments similar to dataset ${dataset.name}${dataset.version === '1' ? '' : `@${dataset.version}`}`);
    replace(
      body,
      h(
        'p',
        { class: 'hint' },
        `Experiments on the datasets nearest to this one (${dataset.taskType}, ${Object.keys(dataset.metaFeatures).length} meta-features), ` +
          'whatever their model (POST /v1/similar-experiments); its own experiments have similarity 1.',
      ),
      similarTable(sim.items, null),
    );
    body.className = '';
  } catch (err) {
    showError(err, body);
  }
}

// ---------------------------------------------------------------- routing

function route() {
  if (!getKey()) {
    stopPage();
    loginPage();
    return;
  }
  const { parts, query } = parseHash();
  if (parts[0] === 'experiments' && parts[1]) {
    const n = parts[2] === 'trials' && parts[3] !== undefined ? Number(parts[3]) : null;
    if (current?.kind === 'experiment' && current.id === parts[1] && current.select) {
      current.select(Number.isInteger(n) ? n : null);
      return;
    }
    stopPage();
    void experimentPage(parts[1], Number.isInteger(n) ? n : null);
    return;
  }
  stopPage();
  if (parts[0] === 'datasets' && parts[1]) void datasetSimilarPage(parts[1]);
  else void listPage(query);
}

async function start() {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (res.ok) config = { ...config, ...(await res.json()) };
  } catch {
    /* the defaults do */
  }
  window.addEventListener('hashchange', route);
  route();
}

void start();
