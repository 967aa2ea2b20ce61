import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MAX_CHOICES_CEILING } from '../optimizers/schema.ts';
import { DEFAULT_SPACE_LIMITS, type SpaceLimits } from '../optimizers/space.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const BOLT_SCHEMES = ['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc'];

/** An unset variable and an empty one mean the same thing in shells and .env files. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const port = (fallback: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : v),
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535'),
  );
const memorySize = (fallback: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), z.string().regex(/^\d+[kmgKMG]$/, 'must be a size such as 512m or 2g'));

export const EnvSchema = z
  .object({
    NEO4J_URI: optionalString.pipe(
      z
        .string()
        .refine(
          (v) => {
            try {
              return BOLT_SCHEMES.includes(new URL(v).protocol.replace(/:$/, ''));
            } catch {
              return false;
            }
          },
          `must be a Bolt URI such as bolt://host:7687 or neo4j+s://xxxx.databases.neo4j.io (schemes: ${BOLT_SCHEMES.join(', ')})`,
        )
        .optional(),
    ),
    NEO4J_USER: optionalString.pipe(z.string().default('neo4j')),
    NEO4J_PASSWORD: optionalString.pipe(z.string().min(8, 'must have at least 8 characters (Neo4j requires it)').optional()),
    NEO4J_DATABASE: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9.-]{2,62}$/, 'must be a Neo4j database name: 3-63 letters, digits, dots or dashes, starting with a letter')
        .default('neo4j'),
    ),
    PORT: port(8080),
    HOST: optionalString.pipe(z.string().default('127.0.0.1')),
    LOG_LEVEL: optionalString.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    PRECEDENT_NEO4J_HOME: optionalString,
    PRECEDENT_NEO4J_BOLT_PORT: port(7687),
    PRECEDENT_NEO4J_HTTP_PORT: port(7474),
    PRECEDENT_NEO4J_HEAP: memorySize('1g'),
    PRECEDENT_NEO4J_PAGECACHE: memorySize('512m'),
    PRECEDENT_RATE_LIMIT: z.preprocess(
      (v) => (v === '' || v === undefined ? 6000 : v),
      z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (off) or more requests per minute'),
    ),
    PRECEDENT_STALE_AFTER_SECONDS: z.preprocess(
      (v) => (v === '' || v === undefined ? 3600 : v),
      z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (off) or more seconds'),
    ),
    PRECEDENT_MAX_CHOICES: z.preprocess(
      (v) => (v === '' || v === undefined ? DEFAULT_SPACE_LIMITS.maxChoices : v),
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(2, 'must be at least 2')
        .max(MAX_CHOICES_CEILING, `must be at most ${MAX_CHOICES_CEILING}`),
    ),
    PRECEDENT_MAX_SPACE_WIDTH: z.preprocess(
      (v) => (v === '' || v === undefined ? DEFAULT_SPACE_LIMITS.maxWidth : v),
      z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1'),
    ),
    PRECEDENT_PUBLIC_URL: optionalString.pipe(
      z
        .string()
        .refine((v) => {
          try {
            return ['http:', 'https:'].includes(new URL(v).protocol);
          } catch {
            return false;
          }
        }, 'must be an http:// or https:// URL, such as https://precedent.example.org')
        .optional(),
    ),
    PRECEDENT_METRICS_HOST: optionalString.pipe(z.string().default('127.0.0.1')),
    PRECEDENT_METRICS_PORT: z.preprocess(
      (v) => (v === '' || v === undefined ? 9464 : v),
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must be 0 (off) or a port between 1 and 65535')
        .max(65535, 'must be 0 (off) or a port between 1 and 65535'),
    ),
    PRECEDENT_REQUEST_DEADLINE_SECONDS: z.preprocess(
      (v) => (v === '' || v === undefined ? 30 : v),
      z.coerce.number({ error: 'must be a number' }).min(1, 'must be at least 1 second'),
    ),
    PRECEDENT_OPTIMIZER_THREADS: z.preprocess(
      (v) => (v === '' || v === undefined ? defaultOptimizerThreads() : v),
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must be 0 (on the event loop) or more')
        .max(64, 'must be at most 64'),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NEO4J_URI && !env.NEO4J_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['NEO4J_PASSWORD'], message: 'is required when NEO4J_URI points at an existing server' });
    }
    if (env.PRECEDENT_METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['PRECEDENT_METRICS_PORT'], message: 'must differ from PORT: /metrics has a listener of its own' });
    }
    if (env.PRECEDENT_NEO4J_BOLT_PORT === env.PRECEDENT_NEO4J_HTTP_PORT) {
      ctx.addIssue({ code: 'custom', path: ['PRECEDENT_NEO4J_HTTP_PORT'], message: 'must differ from PRECEDENT_NEO4J_BOLT_PORT' });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string; value?: string }[]) {
    super(
      `Invalid configuration:\n${problems
        .map((p) => `  ${p.variable}: ${p.reason}${p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface Config {
  neo4j:
    | {
        mode: 'local';
        user: string;
        database: string;
        initialPassword?: string;
        home: string;
        boltPort: number;
        httpPort: number;
        heap: string;
        pageCache: string;
      }
    | { mode: 'external'; uri: string; user: string; password: string; database: string };
  http: { host: string; port: number };
  logLevel: Env['LOG_LEVEL'];
  /** Running trials older than this become stale; 0 disables. */
  staleAfterSeconds: number;
  /** An ask not recorded this long after it arrived is answered 503 and nothing is recorded for it. */
  requestDeadlineSeconds: number;
  /** Worker threads for the optimizer's model fits; 0: on the event loop. */
  optimizerThreads: number;
  /** The largest search spaces accepted. */
  spaceLimits: SpaceLimits;
  /** Requests per minute per API key; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Where clients reach the API (the OpenAPI document's `servers`). */
  publicUrl: string;
  /** The listener of GET /metrics; port 0: none. */
  metrics: { host: string; port: number };
}

/** Optimizer threads: one per core but the event loop's, at least one, at most four. */
export function defaultOptimizerThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

const SECRET = new Set(['NEO4J_PASSWORD']);

/** A listening address as a URL host: a wildcard address as the loopback one, IPv6 in brackets. */
export const urlHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0] ?? 'environment');
        const raw = env[variable];
        return { variable, reason: i.message, value: SECRET.has(variable) || raw === undefined ? undefined : raw };
      }),
    );
  }
  const e = parsed.data;
  const neo4j: Config['neo4j'] = e.NEO4J_URI
    ? { mode: 'external', uri: e.NEO4J_URI, user: e.NEO4J_USER, password: e.NEO4J_PASSWORD as string, database: e.NEO4J_DATABASE }
    : {
        mode: 'local',
        user: 'neo4j',
        database: e.NEO4J_DATABASE,
        initialPassword: e.NEO4J_PASSWORD,
        home: resolve(e.PRECEDENT_NEO4J_HOME ?? join(REPO_ROOT, '.neo4j', 'default')),
        boltPort: e.PRECEDENT_NEO4J_BOLT_PORT,
        httpPort: e.PRECEDENT_NEO4J_HTTP_PORT,
        heap: e.PRECEDENT_NEO4J_HEAP,
        pageCache: e.PRECEDENT_NEO4J_PAGECACHE,
      };
  return {
    neo4j,
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    staleAfterSeconds: e.PRECEDENT_STALE_AFTER_SECONDS,
    requestDeadlineSeconds: e.PRECEDENT_REQUEST_DEADLINE_SECONDS,
    optimizerThreads: e.PRECEDENT_OPTIMIZER_THREADS,
    spaceLimits: { maxChoices: e.PRECEDENT_MAX_CHOICES, maxWidth: e.PRECEDENT_MAX_SPACE_WIDTH },
    rateLimitPerMinute: e.PRECEDENT_RATE_LIMIT,
    publicUrl: (e.PRECEDENT_PUBLIC_URL ?? `http://${urlHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, ''),
    metrics: { host: e.PRECEDENT_METRICS_HOST, port: e.PRECEDENT_METRICS_PORT },
  };
}
