/**
 * The OpenAPI document: what GET /openapi.json serves, docs/openapi.json keeps (`npm run openapi`)
 * and client generators read. The route schemas are zod; fastify-type-provider-zod turns each into
 * JSON Schema (routeTransform) and emits the schemas registered with `.meta({ id })` into
 * `components.schemas` (documentTransform). What a zod schema cannot say lives beside the route in
 * `config.openapi` (RouteDoc): bodies a handler parses itself (a CSV upload, a JSON Lines import),
 * responses that are not JSON, and the reasons a route answers an error status. The error responses
 * every route of a kind can answer (a /v1 route: 400, 401, 429, 503; with an id: 404; a POST: 409
 * and 422 for Idempotency-Key, 413 and 415 for its body) are added here, with the API's error schema
 * and an example of each.
 */
import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { REPO_ROOT } from './config.ts';
import type { ErrorBody } from './http/errors.ts';
import { SERVICE_VERSION } from './version.ts';

export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** OpenAPI facts about a route that its zod schemas cannot state. */
export interface RouteDoc {
  /** Request bodies the handler reads itself (the route schema validates none), per content type. */
  bodies?: Record<string, z.ZodType>;
  /**
   * Error statuses this route answers beyond those of every route of its kind, or what one of those
   * means here: a description, or a description and the message (and details) of an example.
   */
  errors?: Partial<Record<ErrorStatus, string | RouteError>>;
  /** What each success status means (default: OK, Created). */
  responses?: Record<number, string>;
  /** A success response that is not JSON (it has no response schema). */
  produces?: { status: number; type: string; description: string };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

export type RouteError = { description: string; message: string; details?: Record<string, unknown> };

/** Where a client reaches the service when PRECEDENT_PUBLIC_URL is not set; docs/openapi.json is written with it. */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

/**
 * The licence as package.json states it (an SPDX expression, or npm's UNLICENSED: no licence granted):
 * one place to change it.
 */
const LICENSE = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { license?: string }).license ?? 'UNLICENSED';

const SCHEMAS = '#/components/schemas/';
const ERROR_REF = { $ref: `${SCHEMAS}Error` };
const EXAMPLE_ID = '5f0c6b1e-2d4a-4c8e-9b1a-3e7d2f6a9c01';
const RETRY_AFTER = { type: 'integer', description: 'Seconds to wait before retrying' };

type Generic = { description: string; example: ErrorBody; headers?: Record<string, { type: string; description: string }> };

/** The entity a route's `:id` names, for the example of its 404. */
const entityOf = (url: string) => /^\/v1\/(dataset|experiment|trial)s\/:id/.exec(url)?.[1] ?? 'experiment';

/** What each status means on any route that answers it, with a body the service really sends. */
const GENERIC: Record<ErrorStatus, Generic & { name: string }> = {
  400: {
    name: 'BadRequest',
    description: 'Invalid input: `issues` names each field (body, query string or path) and the reason, with the nearest known name for an unknown one',
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'querystring.nmae: unknown field; did you mean name?',
      issues: [{ field: 'querystring.nmae', reason: 'unknown field; did you mean name?' }],
    },
  },
  401: {
    name: 'Unauthorized',
    description: 'No API key, or an unknown or revoked one (the answer does not say which)',
    example: { statusCode: 401, error: 'Unauthorized', message: 'invalid API key' },
    headers: { 'WWW-Authenticate': { type: 'string', description: 'Bearer realm="precedent"' } },
  },
  404: {
    name: 'NotFound',
    description: 'Nothing with this id in the project of the API key',
    example: { statusCode: 404, error: 'Not Found', message: `experiment "${EXAMPLE_ID}" not found` },
  },
  409: {
    name: 'Conflict',
    description: 'A request with the same Idempotency-Key is still being processed (retry after Retry-After)',
    example: { statusCode: 409, error: 'Conflict', message: 'a request with Idempotency-Key "run-42-ask-7" is still being processed; retry shortly' },
    headers: {
      'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying, when a request with the same Idempotency-Key is in progress' },
    },
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is larger than the limit of the route',
    example: { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' },
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The Content-Type is not one the route accepts; `details.accepted` lists those it does',
    example: {
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Content-Type "text/plain" is not accepted here',
      details: { accepted: ['application/json'] },
    },
  },
  422: {
    name: 'IdempotencyKeyReused',
    description: 'The Idempotency-Key was already used for a different request',
    example: {
      statusCode: 422,
      error: 'Unprocessable Content',
      message: 'Idempotency-Key "run-42-ask-7" was already used for a different request; use a new key for a new request',
    },
  },
  429: {
    name: 'TooManyRequests',
    description: 'The requests-per-minute limit of this API key is exceeded (PRECEDENT_RATE_LIMIT)',
    example: { statusCode: 429, error: 'Too Many Requests', message: 'rate limit of 6000 requests per minute for this API key exceeded; retry in 12 s' },
    headers: { 'Retry-After': RETRY_AFTER },
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'Neo4j is unavailable, or an ask was not served within PRECEDENT_REQUEST_DEADLINE_SECONDS; retry after Retry-After',
    example: { statusCode: 503, error: 'Service Unavailable', message: 'The knowledge graph database is unavailable; retry shortly.' },
    headers: { 'Retry-After': RETRY_AFTER },
  },
};

/** The error statuses a route answers: those of every route of its kind plus its own. */
export function errorStatuses(method: string, url: string, own: RouteDoc['errors'] = {}): ErrorStatus[] {
  const statuses = new Set(Object.keys(own).map(Number) as ErrorStatus[]);
  if (url.startsWith('/v1/')) {
    for (const s of [400, 401, 429, 503] as const) statuses.add(s);
    if (url.includes(':id')) statuses.add(404);
    if (method === 'POST' || method === 'PATCH') for (const s of [413, 415] as const) statuses.add(s);
    if (method === 'POST') for (const s of [409, 422] as const) statuses.add(s);
  }
  return [...statuses].sort((a, b) => a - b);
}

/** An error response of a route: what the status means there, and a body the service sends for it. */
function errorResponse(status: ErrorStatus, route: { method: string; url: string; accepts?: string[] }, own: string | RouteError | undefined) {
  const g = GENERIC[status];
  const mine = typeof own === 'string' ? { description: own } : own;
  // A route's own 409 comes on top of the Idempotency-Key one every POST can answer.
  const description =
    status === 409 && mine && route.method === 'POST' ? `${mine.description}; or: ${lowerFirst(g.description)}` : (mine?.description ?? g.description);
  let example: ErrorBody = g.example;
  if (mine && 'message' in mine)
    example = { statusCode: status, error: g.example.error, message: mine.message, ...(mine.details ? { details: mine.details } : {}) };
  else if (status === 404) example = { ...g.example, message: `${entityOf(route.url)} "${EXAMPLE_ID}" not found` };
  else if (status === 415) {
    const accepted = route.accepts ?? ['application/json'];
    example = {
      ...g.example,
      message: `Content-Type "text/plain" is not accepted by ${route.method} ${route.url}; send ${accepted.join(' or ')} (e.g. curl -H 'content-type: ${accepted[0]}')`,
      details: { accepted },
    };
  }
  return {
    description,
    ...(g.headers ? { headers: g.headers } : {}),
    content: { 'application/json': { schema: ERROR_REF, example } },
  };
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type Json = Record<string, unknown>;

/** A zod schema as JSON Schema, the way the route schemas are converted. */
function toJsonSchema(schema: z.ZodType, input: TransformInput): Json {
  return (jsonSchemaTransform({ ...input, schema: { body: schema } }).schema as Json).body as Json;
}

/** Per route: the zod schemas as JSON Schema, plus the route's RouteDoc and the error responses it can answer. */
export const routeTransform: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Json;
  if (schema.hide) return out;
  const { route } = input;
  const doc = route.config?.openapi ?? {};
  const method = String(route.method).toUpperCase();
  if (doc.bodies) {
    schema.body = { content: Object.fromEntries(Object.entries(doc.bodies).map(([type, body]) => [type, { schema: toJsonSchema(body, input) }])) };
  }
  const responses: Json = { ...((schema.response as Json | undefined) ?? {}) };
  for (const [status, response] of Object.entries(responses)) {
    const description = doc.responses?.[Number(status)] ?? ({ 200: 'OK', 201: 'Created' } as Record<string, string>)[status];
    if (description && response && typeof response === 'object') responses[status] = { ...response, description };
  }
  if (doc.produces) {
    responses[doc.produces.status] = { description: doc.produces.description, content: { [doc.produces.type]: { schema: { type: 'string' } } } };
  }
  for (const status of errorStatuses(method, route.url, doc.errors)) {
    responses[status] = errorResponse(status, { method, url: route.url, accepts: route.config?.accepts }, doc.errors?.[status]);
  }
  schema.response = responses;
  return out;
};

/** Every `$ref` into components.schemas under `node`. */
function visitRefs(node: unknown, found: (name: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitRefs(item, found);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMAS)) found(value.slice(SCHEMAS.length));
    else visitRefs(value, found);
  }
}

/**
 * An error response that is the same on every route answering its status (description and example)
 * becomes a reference to components.responses, which keeps the document readable and gives client
 * generators one type per error.
 */
function shareErrorResponses(doc: { paths?: Record<string, Record<string, Json>>; components: Json }): void {
  const shared: Record<string, unknown> = {};
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item)) {
      const responses = (op.responses ?? {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        const g = GENERIC[Number(status) as ErrorStatus];
        const media = (response.content as Record<string, { example?: unknown }> | undefined)?.['application/json'];
        if (!g || response.description !== g.description || !isDeepStrictEqual(media?.example, g.example)) continue;
        shared[g.name] ??= response;
        responses[status] = { $ref: `#/components/responses/${g.name}` };
      }
    }
  }
  doc.components.responses = Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The whole document: the registered schemas into components.schemas (only those the operations
 * use, directly or through each other: the provider emits an input and an output variant of every
 * registered schema), and bodies that may be left out (`.nullish()`) marked optional.
 */
export const documentTransform: typeof jsonSchemaTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input) as Json & { paths?: Record<string, Record<string, Json>>; components: { schemas?: Record<string, unknown> } };
  const all = doc.components.schemas ?? {};
  const used = new Set<string>();
  const use = (name: string) => {
    if (used.has(name)) return;
    used.add(name);
    visitRefs(all[name], use);
  };
  shareErrorResponses(doc);
  visitRefs(doc.paths, use);
  doc.components.schemas = Object.fromEntries(
    Object.keys(all)
      .filter((name) => used.has(name))
      .sort()
      .map((name) => [name, all[name]]),
  );
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item)) {
      const media = (op.requestBody as { content?: Record<string, { schema?: { anyOf?: Json[] } }> } | undefined)?.content?.['application/json'];
      const branches = media?.schema?.anyOf;
      if (!media || !branches?.some((b) => b.type === 'null')) continue;
      // `.nullish()`: no body (or null) is as good as an empty object.
      const rest = branches.filter((b) => b.type !== 'null');
      media.schema = rest.length === 1 ? rest[0] : { anyOf: rest };
      (op.requestBody as Json).required = false;
    }
  }
  return doc;
};

/** The @fastify/swagger options: the document's frame, and the transforms above. */
export function swaggerOptions(publicUrl: string = DEFAULT_PUBLIC_URL): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'precedent',
        version: SERVICE_VERSION,
        description:
          'Knowledge-driven hyperparameter optimization: experiments are stored in a Neo4j knowledge graph and new searches warm-start from similar past ones.',
        license: LICENSE === 'UNLICENSED' ? { name: 'UNLICENSED (no licence granted)' } : { name: LICENSE, identifier: LICENSE },
      },
      servers: [{ url: publicUrl.replace(/\/+$/, ''), description: 'This service (PRECEDENT_PUBLIC_URL)' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A project API key: `npm run keys -- create --project <name>`' },
        },
      },
      // Every /v1 route; /health and the docs override it with an empty list.
      security: [{ apiKey: [] }],
      tags: [
        { name: 'service', description: 'Health and documentation' },
        { name: 'datasets', description: 'Datasets and their meta-features' },
        { name: 'experiments', description: 'Optimization studies' },
        { name: 'trials', description: 'Configurations tried and their outcomes' },
        { name: 'similarity', description: 'Finding similar past experiments' },
        { name: 'suggestions', description: 'Ask/tell: configurations to try next, warm-started from the knowledge graph' },
        { name: 'transfer', description: 'Import and export of experiment history' },
      ],
    },
    transform: routeTransform,
    transformObject: documentTransform,
  };
}
