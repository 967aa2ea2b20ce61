/**
 * Request validation that explains itself. Every route's body, query string and path parameters are
 * parsed with their zod schema here (instead of fastify-type-provider-zod's compiler, whose errors say
 * "Invalid input"), and every problem becomes `{ field, reason }`:
 * - an unknown key names itself and the nearest known name (`did you mean maxTrials?`), including the
 *   words Optuna and W&B users bring with them (`n_trials`, `direction`, `load_if_exists`);
 * - a wrong `type` of a search-space parameter lists the allowed types and says how to write Optuna's
 *   distributions (`loguniform` → `"type": "float", "log": true`);
 * - anything inside `searchSpace[i]` names the parameter by index and name.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { InvalidInputError } from '../../graph/errors.ts';

export type FieldIssue = { field: string; reason: string };

/** Names from other tools and likely misplacements, answered with where the setting lives here. */
const ALIASES: Record<string, string> = {
  ntrials: 'budget.maxTrials',
  maxtrials: 'budget.maxTrials',
  trials: 'budget.maxTrials',
  budget: 'budget.maxTrials',
  direction: 'objective.direction',
  directions: 'objective.direction',
  metric: 'objective.metric',
  metricname: 'objective.metric',
  goal: 'objective.direction',
  distributions: 'searchSpace',
  params: 'searchSpace',
  parameters: 'searchSpace',
  space: 'searchSpace',
  dataset: 'datasetId',
  datasetname: 'datasetId (register the dataset first: POST /v1/datasets)',
  modelname: 'model.name',
  studyname: 'name',
  loadifexists: 'ifExists: "reuse"',
  sampler: 'optimizer.strategy',
  nstartuptrials: 'optimizer.nInitial',
  ninitial: 'optimizer.nInitial',
  lower: 'low',
  upper: 'high',
  min: 'low',
  max: 'high',
  values: 'choices',
  options: 'choices',
  islog: 'log',
  logscale: 'log',
  q: 'step',
};

/** Parameter types of other tools, answered with how to write them here. */
const TYPE_HINTS: Record<string, string> = {
  uniform: '"type": "float"',
  floatdistribution: '"type": "float"',
  double: '"type": "float"',
  real: '"type": "float"',
  continuous: '"type": "float"',
  number: '"type": "float"',
  loguniform: '"type": "float", "log": true',
  reciprocal: '"type": "float", "log": true',
  discreteuniform: '"type": "float", "step": <q>',
  quniform: '"type": "float", "step": <q>',
  intuniform: '"type": "int"',
  intdistribution: '"type": "int"',
  integer: '"type": "int"',
  randint: '"type": "int"',
  intloguniform: '"type": "int", "log": true',
  categoricaldistribution: '"type": "categorical"',
  choice: '"type": "categorical"',
  enum: '"type": "categorical"',
  cat: '"type": "categorical"',
  bool: '"type": "categorical", "choices": [true, false]',
  boolean: '"type": "categorical", "choices": [true, false]',
};

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known name that `key` misspells: equal up to case and separators, or one edit away (two for
 * names of 15 characters or more). Stricter than nearestName (no containment, no aliases), for
 * free-form names such as meta-features, where a longer or shorter name is usually another one.
 */
export function misspeltName(key: string, known: readonly string[]): string | null {
  const k = norm(key);
  if (k.length < 5) return null;
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = editDistance(k, norm(name));
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= (k.length >= 15 ? 2 : 1) ? best.name : null;
}

/** The known name a user most likely meant by `key`, or null when none is close. */
export function nearestName(key: string, known: readonly string[]): string | null {
  const k = norm(key);
  const exact = known.find((name) => norm(name) === k);
  if (exact) return exact;
  // A word known from another tool means what the alias says, or nothing here: `n_trials` in an
  // import line is not a misspelt `trials`. The alias applies where its head is a field (`budget.
  // maxTrials` at the top level) or its last segment is (`maxTrials` inside `budget`).
  const alias = ALIASES[k];
  if (alias) {
    const path = alias.split(/[ :]/)[0]!.split('.');
    if (known.includes(path[0]!)) return alias;
    const last = path[path.length - 1]!;
    return known.includes(last) ? last : null;
  }
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const n = norm(name);
    const contained = Math.min(n.length, k.length) >= 4 && (n.includes(k) || k.includes(n));
    const d = contained ? 1 : editDistance(k, n);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.ceil(Math.max(k.length, norm(best.name).length) / 3)) ? best.name : null;
}

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch {
    // Nested too deep for JSON.stringify's recursion (a hostile body): its outermost brackets.
    return Array.isArray(v) ? '[[...]]' : '{...}';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

type RawIssue = z.core.$ZodRawIssue & { suggestions?: Record<string, string | null> };

/**
 * zod error map for request data: messages that name the value, the allowed values and a fix. It
 * also records the nearest known name of each unknown key on the issue, for `issuesOf` to split.
 */
function explain(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'unrecognized_keys': {
      const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const known = shape ? Object.keys(shape) : [];
      iss.suggestions = Object.fromEntries(iss.keys.map((k) => [k, nearestName(k, known)]));
      return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    case 'invalid_union': {
      const disc = (iss as { discriminator?: string }).discriminator;
      const options = (iss as { options?: unknown[] }).options;
      if (!disc || !options) return undefined;
      const value = (iss.input as Record<string, unknown> | undefined)?.[disc];
      if (value === undefined) return `${disc} is required: one of ${options.join(', ')}`;
      const hint = typeof value === 'string' ? TYPE_HINTS[norm(value)] : undefined;
      return `${disc} ${show(value)} is not one of ${options.join(', ')}${hint ? `; for ${value} write ${hint}` : ''}`;
    }
    case 'invalid_value':
      if (iss.input === undefined) return `required: ${iss.values.map((v) => (typeof v === 'string' ? v : show(v))).join(' or ')}`;
      return `${show(iss.input)} is not one of ${iss.values.map((v) => (typeof v === 'string' ? v : show(v))).join(', ')}`;
    case 'too_big':
    case 'too_small': {
      const big = iss.code === 'too_big';
      const bound = Number((big ? (iss as { maximum: unknown }).maximum : (iss as { minimum: unknown }).minimum) as number);
      const inclusive = (iss as { inclusive?: boolean }).inclusive !== false;
      if (iss.origin === 'number' || iss.origin === 'int') {
        if (Math.abs(bound) === Number.MAX_SAFE_INTEGER) return `${show(iss.input)} is beyond ±(2^53 - 1): larger integers are not exact`;
        return `${show(iss.input)} is ${big ? 'above the maximum' : 'below the minimum'} of ${bound}${inclusive ? '' : ' (exclusive)'}`;
      }
      if (iss.origin === 'array') return `${(iss.input as unknown[]).length} items, ${big ? 'above the maximum' : 'below the minimum'} of ${bound}`;
      if (iss.origin === 'string') return big ? `longer than ${bound} characters` : bound === 1 ? 'must not be empty' : `shorter than ${bound} characters`;
      return undefined;
    }
    case 'invalid_format':
      if (iss.format === 'uuid') return `${show(iss.input)} is not an id (ids are UUIDs, e.g. 5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01)`;
      return undefined;
    case 'invalid_type':
      if (iss.input === undefined) return `required (${iss.expected})`;
      return `expected ${iss.expected}, got ${kindOf(iss.input)} ${show(iss.input)}`;
    default:
      return undefined;
  }
}

/** `searchSpace[0] "lr": ` when the path runs through a named element of an array, else ''. */
function elementLabel(path: readonly PropertyKey[], input: unknown): string {
  let node: unknown = input;
  let label = '';
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (node === null || typeof node !== 'object') break;
    const next = (node as Record<PropertyKey, unknown>)[key];
    if (Array.isArray(node) && next && typeof next === 'object' && typeof (next as { name?: unknown }).name === 'string') {
      label = `${String(path[i - 1] ?? '')}[${String(key)}] ${JSON.stringify((next as { name: string }).name)}: `;
    }
    node = next;
  }
  return label;
}

/** One `{ field, reason }` per problem, unknown keys one each; `context` prefixes every field. */
export function issuesOf(error: z.ZodError, context: string, input: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = [context, ...issue.path.map(String)].filter(Boolean).join('.');
    const label = elementLabel(issue.path, input);
    if (issue.code === 'unrecognized_keys') {
      const suggestions = (issue as { suggestions?: Record<string, string | null> }).suggestions ?? {};
      for (const key of issue.keys) {
        const near = suggestions[key];
        out.push({ field: base ? `${base}.${key}` : key, reason: `${label}unknown field${near ? `; did you mean ${near}?` : ''}` });
      }
    } else {
      out.push({ field: base || context, reason: `${label}${issue.message}` });
    }
  }
  return out;
}

/** Parses with the explaining error map; the issues name fields under `context` (e.g. `body`). */
export function safeParseExplained<T extends z.ZodType>(schema: T, data: unknown): z.ZodSafeParseResult<z.output<T>> {
  return schema.safeParse(data, { error: explain as z.core.$ZodErrorMap });
}

export function invalidInput(issues: FieldIssue[], context: string): InvalidInputError {
  const [first, ...rest] = issues;
  return new InvalidInputError(first?.field ?? context, first?.reason ?? 'is invalid', rest.slice(0, 50));
}

/** Validates data a route could not hand to the schema compiler (e.g. a body whose content type varies). */
export function parseOrThrow<T extends z.ZodType>(schema: T, data: unknown, context: string): z.output<T> {
  const r = safeParseExplained(schema, data);
  if (r.success) return r.data;
  throw invalidInput(issuesOf(r.error, context, data), context);
}

/** fastify's validator compiler for zod route schemas: a failure is an InvalidInputError (400). */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const r = safeParseExplained(schema, data);
    if (r.success) return { value: r.data };
    const context = httpPart === 'querystring' ? 'querystring' : (httpPart ?? 'body');
    return { error: invalidInput(issuesOf(r.error, context, data), context) };
  };
