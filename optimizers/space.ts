// Search-space semantics: which parameters are active, what a valid config is, and the canonical form
// used for equality. Encoding to the unit cube lives in encoding.ts.
import type { CategoricalParam, Choice, Config, ConfigValue, NumericParam, Param, SearchSpace } from './schema.ts';

/** Significant digits kept for floats in canonical form: enough to separate any two points a user would
 * call different, few enough that encode→decode round-off (exp(log(x)) ≠ x) disappears. */
export const CANONICAL_DIGITS = 12;

export type SpaceIssue = { parameter: string; reason: string };
export type ConfigCheck = { ok: true } | { ok: false; parameter: string; reason: string };

/** Relative slack for "is on the step grid": (high − low) / step computed in floating point is rarely integral. */
const GRID_SLACK = 1e-9;

/** Grid index of v (k in low + k·step), or null when the parameter has no step. */
function gridIndex(p: NumericParam, v: number): number | null {
  return p.step === undefined ? null : (v - p.low) / p.step;
}

const onGrid = (k: number) => Math.abs(k - Math.round(k)) <= GRID_SLACK * Math.max(1, Math.abs(k));

/** The choice equal to v (same type and value), or -1: `16` and `"16"` are different choices. */
export function choiceIndex(choices: readonly Choice[], v: ConfigValue | undefined): number {
  return v === undefined ? -1 : choices.indexOf(v);
}

/** A choice as users read it in messages: strings quoted, the rest as JSON. */
export const showChoice = (c: ConfigValue | undefined) => (c === undefined ? 'nothing' : JSON.stringify(c));

/**
 * How large a space the optimizer takes. Its model works in one dimension per numeric parameter and
 * one per categorical choice (the `width`), and its cost grows with it: the limits keep an ask in
 * seconds rather than minutes. The service makes them configurable.
 */
export type SpaceLimits = { maxChoices: number; maxWidth: number };
export const DEFAULT_SPACE_LIMITS: SpaceLimits = { maxChoices: 10_000, maxWidth: 1_000 };

/** Dimensions of the model's encoding: one per numeric parameter, one per categorical choice. */
export const encodedWidth = (space: SearchSpace): number => space.reduce((w, p) => w + (p.type === 'categorical' ? p.choices.length : 1), 0);

/** Structural problems of a space (empty list ⇒ usable). */
export function checkSpace(space: SearchSpace, limits: SpaceLimits = DEFAULT_SPACE_LIMITS): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const seen = new Map<string, Param>();
  for (const p of space) {
    if (seen.has(p.name)) issues.push({ parameter: p.name, reason: 'duplicate parameter name' });
    if (p.type === 'categorical') {
      if (p.choices.length === 0) issues.push({ parameter: p.name, reason: 'no choices' });
      if (p.choices.length > limits.maxChoices) {
        issues.push({ parameter: p.name, reason: `${p.choices.length} choices, above the limit of ${limits.maxChoices} per parameter` });
      } else if (new Set(p.choices).size !== p.choices.length) issues.push({ parameter: p.name, reason: 'duplicate choices' });
    } else {
      if (!(p.low <= p.high)) issues.push({ parameter: p.name, reason: `low ${p.low} > high ${p.high}` });
      // The encoding maps [low, high] (or its logarithms) to [0, 1]: the width must be a finite number.
      else if (!Number.isFinite(p.high - p.low))
        issues.push({ parameter: p.name, reason: `the range ${p.low} to ${p.high} is too wide to represent (high − low overflows)` });
      if (p.log && !(p.low > 0)) issues.push({ parameter: p.name, reason: 'log scale needs low > 0' });
      if (p.type === 'int' && (!Number.isInteger(p.low) || !Number.isInteger(p.high))) {
        issues.push({ parameter: p.name, reason: 'int bounds must be integers' });
      }
      if (p.step !== undefined && p.log && !(p.type === 'int' && p.step === 1)) {
        issues.push({ parameter: p.name, reason: 'step and log cannot be used together (as in Optuna); drop one' });
      }
      const k = gridIndex(p, p.high);
      if (k !== null && p.low <= p.high && !onGrid(k)) {
        const fix = p.low + Math.floor(k + GRID_SLACK) * p.step!;
        issues.push({
          parameter: p.name,
          reason: `high ${p.high} is not low + k·step (step ${p.step}); use high ${Number(fix.toPrecision(CANONICAL_DIGITS))}`,
        });
      }
    }
    if (p.condition) {
      const parent = seen.get(p.condition.parent);
      if (!parent) issues.push({ parameter: p.name, reason: `condition parent '${p.condition.parent}' is not an earlier parameter` });
      else if (parent.type !== 'categorical') issues.push({ parameter: p.name, reason: 'condition parent must be categorical' });
      else {
        for (const v of p.condition.values) {
          if (choiceIndex(parent.choices, v) < 0) {
            issues.push({
              parameter: p.name,
              reason: `condition value ${showChoice(v)} is not a choice of '${parent.name}' (${parent.choices.map(showChoice).join(', ')})`,
            });
          }
        }
      }
    }
    seen.set(p.name, p);
  }
  const width = encodedWidth(space);
  if (width > limits.maxWidth && issues.length === 0) {
    issues.push({
      parameter: '(space)',
      reason: `the space encodes to ${width} dimensions (one per numeric parameter, one per categorical choice), above the limit of ${limits.maxWidth}`,
    });
  }
  return issues;
}

/** Active flags in space order; a parameter is active iff its parent is active and has a listed value. */
export function activeMask(space: SearchSpace, config: Config): boolean[] {
  const active = new Map<string, boolean>();
  const out: boolean[] = [];
  for (const p of space) {
    let on = true;
    if (p.condition) {
      const parentOn = active.get(p.condition.parent) ?? false;
      const v = config[p.condition.parent];
      on = parentOn && choiceIndex(p.condition.values, v) >= 0;
    }
    active.set(p.name, on);
    out.push(on);
  }
  return out;
}

function checkValue(p: Param, v: ConfigValue | undefined): string | null {
  if (p.type === 'categorical') {
    if (choiceIndex(p.choices, v) >= 0) return null;
    if (v === undefined || v === null) return 'missing value for an active parameter';
    const sameText = p.choices.find((c) => c !== null && String(c) === String(v));
    const hint = sameText !== undefined ? ` (choices keep their type: did you mean ${showChoice(sameText)}?)` : '';
    return `${showChoice(v)} is not one of ${p.choices.map(showChoice).join(', ')}${hint}`;
  }
  if (v === undefined || v === null) return 'missing value for an active parameter';
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'numeric value must be a finite number';
  if (p.type === 'int' && !Number.isInteger(v)) return 'int parameter needs an integer';
  if (v < p.low || v > p.high) return `${v} outside [${p.low}, ${p.high}]`;
  const k = gridIndex(p, v);
  if (k !== null && !onGrid(k)) return `${v} is not on the grid low + k·step (low ${p.low}, step ${p.step})`;
  return null;
}

/** First problem of a config against a space, or ok. Unknown keys are an error: they usually mean a
 * renamed parameter, and silently dropping them would lose data. */
export function validateConfig(space: SearchSpace, config: Config): ConfigCheck {
  const mask = activeMask(space, config);
  const names = new Set(space.map((p) => p.name));
  for (const key of Object.keys(config)) {
    if (!names.has(key)) return { ok: false, parameter: key, reason: 'not a parameter of the space' };
  }
  for (let i = 0; i < space.length; i++) {
    const p = space[i]!;
    const v = config[p.name];
    if (!mask[i]) {
      if (v !== null && v !== undefined) return { ok: false, parameter: p.name, reason: 'inactive parameter must be null' };
      continue;
    }
    const problem = checkValue(p, v);
    if (problem) return { ok: false, parameter: p.name, reason: problem };
  }
  return { ok: true };
}

function canonicalNumber(p: NumericParam, v: number): number {
  const k = gridIndex(p, v);
  // A stepped value is snapped to its grid point, so low + k·step computed two ways is one config.
  const snapped = k === null ? v : p.low + Math.round(k) * p.step!;
  if (p.type === 'int') return Math.round(snapped);
  const r = Number(snapped.toPrecision(CANONICAL_DIGITS));
  return Object.is(r, -0) ? 0 : r;
}

/** Canonical form: space order, ints rounded, stepped values on their grid, floats to CANONICAL_DIGITS
 * significant digits, inactive parameters null, unknown keys dropped. Values are not clamped: an
 * out-of-range value stays visible. Categorical values are kept as given (typed). */
export function canonicalConfig(space: SearchSpace, config: Config): Config {
  const mask = activeMask(space, config);
  const out: Config = {};
  for (let i = 0; i < space.length; i++) {
    const p = space[i]!;
    const v = config[p.name];
    if (!mask[i] || v === null || v === undefined) {
      out[p.name] = null;
    } else if (p.type === 'categorical') {
      out[p.name] = v;
    } else {
      out[p.name] = typeof v === 'number' ? canonicalNumber(p, v) : canonicalNumber(p, Number(v));
    }
  }
  return out;
}

/** Hash input for de-duplication: equal canonical configs ⇔ equal keys. */
export function configKey(space: SearchSpace, config: Config): string {
  const c = canonicalConfig(space, config);
  return space.map((p) => JSON.stringify(c[p.name] ?? null)).join(',');
}

export function configsEqual(space: SearchSpace, a: Config, b: Config): boolean {
  return configKey(space, a) === configKey(space, b);
}

/** Values a numeric parameter can take: its grid points, or 1 for an unstepped float (called only when discrete). */
function gridSize(p: NumericParam): number {
  if (p.type === 'float' && p.step === undefined) return 1;
  const step = p.step ?? 1;
  return Math.floor((p.high - p.low) / step + GRID_SLACK) + 1;
}

/** Number of distinct configs if every parameter is discrete, else Infinity (conditions respected). */
export function finiteSize(space: SearchSpace, cap = 1e7): number {
  if (space.some((p) => p.type === 'float' && p.low !== p.high && p.step === undefined)) return Infinity;
  // Count by enumerating parent choices only: a conditional subtree multiplies only in its branch.
  let total = 0;
  const walk = (i: number, config: Config, acc: number): void => {
    if (total > cap) return;
    if (i === space.length) {
      total += acc;
      return;
    }
    const p = space[i]!;
    const on = activeMask(space.slice(0, i + 1), config)[i]!;
    if (!on) walk(i + 1, { ...config, [p.name]: null }, acc);
    else if (p.type === 'categorical') {
      const isParent = space.some((q) => q.condition?.parent === p.name);
      if (!isParent) walk(i + 1, { ...config, [p.name]: p.choices[0]! }, acc * p.choices.length);
      else for (const c of p.choices) walk(i + 1, { ...config, [p.name]: c }, acc);
    } else walk(i + 1, { ...config, [p.name]: p.low }, acc * gridSize(p));
  };
  walk(0, {}, 1);
  return total;
}

/** All configs of a finite space in canonical form (call only when finiteSize is small). */
export function enumerateSpace(space: SearchSpace): Config[] {
  const out: Config[] = [];
  const walk = (i: number, config: Config): void => {
    if (i === space.length) {
      out.push(canonicalConfig(space, config));
      return;
    }
    const p = space[i]!;
    const on = activeMask(space.slice(0, i + 1), config)[i]!;
    if (!on) walk(i + 1, { ...config, [p.name]: null });
    else if (p.type === 'categorical') {
      for (const c of p.choices) walk(i + 1, { ...config, [p.name]: c });
    } else {
      const n = gridSize(p);
      const step = p.step ?? 1;
      for (let k = 0; k < n; k++) walk(i + 1, { ...config, [p.name]: p.low + k * step });
    }
  };
  walk(0, {});
  return out;
}

export function paramByName(space: SearchSpace, name: string): Param | undefined {
  return space.find((p) => p.name === name);
}

export function isCategorical(p: Param): p is CategoricalParam {
  return p.type === 'categorical';
}
