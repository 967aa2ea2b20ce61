// Search-space semantics: which parameters are active, what a valid config is, and the canonical form
// used for equality. Encoding to the unit cube lives in encoding.ts.
import type { CategoricalParam, Config, ConfigValue, Param, SearchSpace } from './schema.ts';

/** Significant digits kept for floats in canonical form: enough to separate any two points a user would
 * call different, few enough that encode→decode round-off (exp(log(x)) ≠ x) disappears. */
export const CANONICAL_DIGITS = 12;

export type SpaceIssue = { parameter: string; reason: string };
export type ConfigCheck = { ok: true } | { ok: false; parameter: string; reason: string };

/** Structural problems of a space (empty list ⇒ usable). */
export function checkSpace(space: SearchSpace): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const seen = new Map<string, Param>();
  for (const p of space) {
    if (seen.has(p.name)) issues.push({ parameter: p.name, reason: 'duplicate parameter name' });
    if (p.type === 'categorical') {
      if (p.choices.length === 0) issues.push({ parameter: p.name, reason: 'no choices' });
      if (new Set(p.choices).size !== p.choices.length) issues.push({ parameter: p.name, reason: 'duplicate choices' });
    } else {
      if (!(p.low <= p.high)) issues.push({ parameter: p.name, reason: `low ${p.low} > high ${p.high}` });
      if (p.log && !(p.low > 0)) issues.push({ parameter: p.name, reason: 'log scale needs low > 0' });
      if (p.type === 'int' && (!Number.isInteger(p.low) || !Number.isInteger(p.high))) {
        issues.push({ parameter: p.name, reason: 'int bounds must be integers' });
      }
    }
    if (p.condition) {
      const parent = seen.get(p.condition.parent);
      if (!parent) issues.push({ parameter: p.name, reason: `condition parent '${p.condition.parent}' is not an earlier parameter` });
      else if (parent.type !== 'categorical') issues.push({ parameter: p.name, reason: 'condition parent must be categorical' });
      else {
        for (const v of p.condition.values) {
          if (!parent.choices.includes(v)) issues.push({ parameter: p.name, reason: `condition value '${v}' is not a choice of '${parent.name}'` });
        }
      }
    }
    seen.set(p.name, p);
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
      on = parentOn && typeof v === 'string' && p.condition.values.includes(v);
    }
    active.set(p.name, on);
    out.push(on);
  }
  return out;
}

function checkValue(p: Param, v: ConfigValue | undefined): string | null {
  if (v === undefined || v === null) return 'missing value for an active parameter';
  if (p.type === 'categorical') {
    if (typeof v !== 'string') return 'categorical value must be a string';
    return p.choices.includes(v) ? null : `'${v}' is not one of ${JSON.stringify(p.choices)}`;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'numeric value must be a finite number';
  if (p.type === 'int' && !Number.isInteger(v)) return 'int parameter needs an integer';
  if (v < p.low || v > p.high) return `${v} outside [${p.low}, ${p.high}]`;
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

function canonicalNumber(p: Param & { type: 'float' | 'int' }, v: number): number {
  if (p.type === 'int') return Math.round(v);
  const r = Number(v.toPrecision(CANONICAL_DIGITS));
  return Object.is(r, -0) ? 0 : r;
}

/** Canonical form: space order, ints rounded, floats to CANONICAL_DIGITS significant digits, inactive
 * parameters null, unknown keys dropped. Values are not clamped: an out-of-range value stays visible. */
export function canonicalConfig(space: SearchSpace, config: Config): Config {
  const mask = activeMask(space, config);
  const out: Config = {};
  for (let i = 0; i < space.length; i++) {
    const p = space[i]!;
    const v = config[p.name];
    if (!mask[i] || v === null || v === undefined) {
      out[p.name] = null;
    } else if (p.type === 'categorical') {
      out[p.name] = String(v);
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

/** Number of distinct configs if every parameter is discrete, else Infinity (conditions respected). */
export function finiteSize(space: SearchSpace, cap = 1e7): number {
  if (space.some((p) => p.type === 'float' && p.low !== p.high)) return Infinity;
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
    if (!on) return walk(i + 1, { ...config, [p.name]: null }, acc);
    if (p.type === 'categorical') {
      const isParent = space.some((q) => q.condition?.parent === p.name);
      if (!isParent) return walk(i + 1, { ...config, [p.name]: p.choices[0]! }, acc * p.choices.length);
      for (const c of p.choices) walk(i + 1, { ...config, [p.name]: c }, acc);
      return;
    }
    const size = p.type === 'int' ? Math.floor(p.high) - Math.ceil(p.low) + 1 : 1;
    walk(i + 1, { ...config, [p.name]: p.low }, acc * size);
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
    if (!on) return walk(i + 1, { ...config, [p.name]: null });
    if (p.type === 'categorical') {
      for (const c of p.choices) walk(i + 1, { ...config, [p.name]: c });
    } else if (p.type === 'int') {
      for (let v = Math.ceil(p.low); v <= Math.floor(p.high); v++) walk(i + 1, { ...config, [p.name]: v });
    } else {
      walk(i + 1, { ...config, [p.name]: p.low });
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
