// @ts-check
// How each recorded strategy is shown: its family (the legend groups), a colour from the Okabe–Ito
// palette (distinguishable with the common colour-vision deficiencies) and a marker shape, so that
// colour is never the only cue.

/** @typedef {'design' | 'warm' | 'transfer-bo' | 'gp-bo' | 'manual' | 'imported'} Family */

/** @type {{ id: Family; label: string; colour: string; shape: Shape; strategies: string[] }[]} */
export const FAMILIES = [
  { id: 'design', label: 'design (Sobol, LHS, random)', colour: '#56B4E9', shape: 'circle', strategies: ['sobol', 'lhs', 'random'] },
  { id: 'warm', label: 'warm start (portfolio, prior best)', colour: '#E69F00', shape: 'diamond', strategies: ['portfolio', 'warm-start'] },
  { id: 'transfer-bo', label: 'transfer-BO', colour: '#CC79A7', shape: 'triangle', strategies: ['transfer-bo'] },
  { id: 'gp-bo', label: 'GP-BO', colour: '#0072B2', shape: 'square', strategies: ['gp-bo'] },
  { id: 'manual', label: "a person's configuration", colour: '#009E73', shape: 'star', strategies: ['manual'] },
  { id: 'imported', label: 'imported (no record)', colour: '#7F7F7F', shape: 'circle', strategies: [] },
];

export const FAILED_COLOUR = '#D55E00';
export const BEST_COLOUR = '#000000';

/** @typedef {'circle' | 'square' | 'diamond' | 'triangle' | 'star' | 'cross'} Shape */

/**
 * @param {string | null | undefined} strategy
 * @param {string} [proposedBy]
 */
export function familyOf(strategy, proposedBy) {
  const f = FAMILIES.find((x) => strategy && x.strategies.includes(strategy));
  if (f) return f;
  if (proposedBy === 'person') return FAMILIES[4];
  return FAMILIES[5];
}

/** What each strategy means, in a sentence, for the "why this configuration" view. */
/** @type {Record<string, string>} */
export const EXPLAIN = {
  sobol: 'Initial design: the next point of a scrambled Sobol sequence, which covers the space evenly without looking at any result.',
  lhs: 'Initial design: a Latin hypercube point, spreading the first trials evenly over every parameter.',
  random: 'Random search: a configuration drawn uniformly from the search space.',
  portfolio:
    'Warm start, portfolio: picked greedily among the good configurations of similar past experiments, so that together the trials tried so far would have done well on each of those experiments.',
  'warm-start': 'Warm start: a good configuration of a similar past experiment, taken in the order of similarity (MI-SMBO).',
  'transfer-bo':
    "Transfer Bayesian optimisation: a Gaussian process of this experiment's results, combined with models of the prior experiments (an RGPE ensemble weighted by how well each ranks this experiment's results).",
  'gp-bo': "Bayesian optimisation: a Gaussian process fitted to this experiment's results, maximising expected improvement.",
  manual: 'Chosen by a person (added or queued through the API).',
};

/**
 * An SVG path for a marker of `shape` and radius `r` centred at (x, y).
 * @param {Shape} shape
 * @param {number} x
 * @param {number} y
 * @param {number} r
 * @param {number} [digits] decimals of the coordinates
 */
export function markerPath(shape, x, y, r, digits = 1) {
  const f = (/** @type {number} */ n) => n.toFixed(digits);
  switch (shape) {
    case 'square':
      return `M${f(x - r * 0.85)},${f(y - r * 0.85)}h${f(1.7 * r)}v${f(1.7 * r)}h${f(-1.7 * r)}z`;
    case 'diamond':
      return `M${f(x)},${f(y - r * 1.2)}L${f(x + r * 1.2)},${f(y)}L${f(x)},${f(y + r * 1.2)}L${f(x - r * 1.2)},${f(y)}z`;
    case 'triangle':
      return `M${f(x)},${f(y - r * 1.2)}L${f(x + r * 1.1)},${f(y + r * 0.8)}L${f(x - r * 1.1)},${f(y + r * 0.8)}z`;
    case 'star': {
      let d = '';
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 ? r * 0.55 : r * 1.3;
        d += `${i ? 'L' : 'M'}${f(x + rr * Math.cos(a))},${f(y + rr * Math.sin(a))}`;
      }
      return `${d}z`;
    }
    case 'cross':
      return `M${f(x - r)},${f(y - r)}L${f(x + r)},${f(y + r)}M${f(x + r)},${f(y - r)}L${f(x - r)},${f(y + r)}`;
    default:
      return `M${f(x - r)},${f(y)}a${f(r)},${f(r)} 0 1,0 ${f(2 * r)},0a${f(r)},${f(r)} 0 1,0 ${f(-2 * r)},0`;
  }
}

/**
 * The same markers as Vega symbol shapes: paths around (0, 0) that Vega scales by each mark's size,
 * so that the charts draw exactly the shapes of the legends and chips.
 * @type {Record<Shape, string>}
 */
export const SYMBOLS = {
  circle: markerPath('circle', 0, 0, 1, 3),
  square: markerPath('square', 0, 0, 1, 3),
  diamond: markerPath('diamond', 0, 0, 1, 3),
  triangle: markerPath('triangle', 0, 0, 1, 3),
  star: markerPath('star', 0, 0, 1, 3),
  cross: markerPath('cross', 0, 0, 1, 3),
};
