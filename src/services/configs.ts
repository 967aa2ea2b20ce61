import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../graph/errors.ts';
import type { Config, SearchSpace } from '../../optimizers/schema.ts';
import { canonicalConfig, checkSpace, DEFAULT_SPACE_LIMITS, type SpaceLimits, validateConfig } from '../../optimizers/space.ts';

/** Rejects a search space the optimizer could not use, or one beyond the limits, naming the parameter. */
export function assertValidSpace(space: SearchSpace, field = 'body.searchSpace', limits: SpaceLimits = DEFAULT_SPACE_LIMITS): void {
  const issues = checkSpace(space, limits);
  const [first, ...rest] = issues.map((i) => ({ field: i.parameter === '(space)' ? field : `${field}.${i.parameter}`, reason: i.reason }));
  if (first) throw new InvalidInputError(first.field, first.reason, rest);
}

/**
 * Validates a configuration against the experiment's space and returns its canonical form and
 * hash. The hash ignores parameter order, so the same configuration from two experiments with
 * differently ordered spaces is the same Config node.
 */
export function prepareConfig(space: SearchSpace, config: Config, field = 'body.config'): { config: Config; hash: string } {
  const check = validateConfig(space, config);
  if (!check.ok) throw new InvalidInputError(`${field}.${check.parameter}`, check.reason);
  const canonical = canonicalConfig(space, config);
  const sorted = Object.keys(canonical)
    .sort()
    .map((k) => [k, canonical[k]]);
  return { config: canonical, hash: createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32) };
}

/**
 * Validates a candidate menu like trial configurations and returns it in canonical form, in the
 * given order (the order is part of what replay reproduces). A duplicate is rejected rather than
 * dropped, so the stored menu has exactly the size the caller sent.
 */
export function prepareCandidates(space: SearchSpace, candidates: Config[], field = 'body.candidates'): Config[] {
  const seen = new Map<string, number>();
  return candidates.map((c, i) => {
    const { config, hash } = prepareConfig(space, c, `${field}.${i}`);
    const first = seen.get(hash);
    if (first !== undefined) throw new InvalidInputError(`${field}.${i}`, `duplicate of ${field}.${first}`);
    seen.set(hash, i);
    return config;
  });
}
