// @ts-check
// Building DOM and SVG without a framework or innerHTML: every text goes in as a text node, so
// names and values from the API can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** @typedef {string | number | boolean | null | undefined} AttrValue */
/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @param {Element} node
 * @param {Record<string, AttrValue | ((e: Event) => void)>} attrs
 */
function apply(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') node.addEventListener(k.replace(/^on/, ''), /** @type {EventListener} */ (v));
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

/**
 * @param {Node} node
 * @param {Child[]} children
 */
function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'object' ? /** @type {Node} */ (c) : document.createTextNode(String(c)));
  }
}

/**
 * An HTML element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue | ((e: any) => void)>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  apply(node, attrs);
  append(node, /** @type {Child[]} */ (children));
  return node;
}

/**
 * An SVG element.
 * @param {string} tag
 * @param {Record<string, AttrValue | ((e: any) => void)>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  apply(node, attrs);
  append(node, /** @type {Child[]} */ (children));
  return node;
}

/**
 * Replaces the children of `node`.
 * @param {Element} node
 * @param {...(Child | Child[])} children
 */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, /** @type {Child[]} */ (children));
}

/**
 * @param {number | null | undefined} v
 * @param {number} [digits]
 */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace('e+', 'e');
  return Number(v.toPrecision(digits)).toString();
}

/** @param {unknown} v */
export function fmtValue(v) {
  if (typeof v === 'number') return fmt(v);
  if (v === null || v === undefined) return '–';
  return String(v);
}

/** @param {number | null | undefined} seconds */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${fmt(seconds, 3)} s`;
  if (seconds < 7200) return `${fmt(seconds / 60, 3)} min`;
  return `${fmt(seconds / 3600, 3)} h`;
}

/** @param {string | null | undefined} iso */
export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** @param {Record<string, unknown>} config */
export function fmtConfig(config) {
  return Object.entries(config)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${fmtValue(v)}`)
    .join(', ');
}
