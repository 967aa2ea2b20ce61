import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { REPO_ROOT } from '../config.ts';

/** Where the dashboard's files are: plain ES modules, CSS and SVG, served as they are (no build step). */
export const UI_ROOT = join(REPO_ROOT, 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Everything the page may load comes from this service: no CDN, no inline script or style, no frames.
 * The API is same-origin (`connect-src 'self'`), so the dashboard needs no CORS.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The servable files under `dir` by URL path: the type-checking files (tsconfig.json, *.d.ts) stay private. */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const type = TYPES[extname(name)];
      if (!type || name === 'tsconfig.json' || name.endsWith('.d.ts')) continue;
      const body = readFileSync(path);
      out.set(relative(dir, path).split(sep).join('/'), { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
  };
  walk(dir);
  return out;
}

export interface UiOptions {
  /** Neo4j Browser's address for "open in Neo4j Browser" links (default: port 7474 on the host the page was loaded from). */
  neo4jBrowserUrl?: string | null;
  /** How often an open experiment page checks for new results while the experiment runs (default 3 s). */
  pollSeconds?: number;
  /** The folder served (default: the repository's ui/). */
  root?: string;
}

/**
 * The web dashboard at /ui/: static files read once at start (a broken checkout fails the start, not
 * the first visitor), and /ui/config.json with the settings the page needs. The page calls the /v1 API
 * with the API key the person enters; nothing here needs a key.
 */
export const uiRoutes: FastifyPluginAsync<UiOptions> = async (app, opts) => {
  const assets = loadAssets(opts.root ?? UI_ROOT);
  if (!assets.has('index.html')) throw new Error(`the dashboard's index.html is missing from ${opts.root ?? UI_ROOT}`);
  const config = JSON.stringify({ neo4jBrowserUrl: opts.neo4jBrowserUrl ?? null, pollSeconds: opts.pollSeconds ?? 3 });
  const hide = { schema: { hide: true } };

  const send = (req: FastifyRequest, reply: FastifyReply, asset: Asset) => {
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      // Always revalidated, so a restarted service never leaves an old page mixed with new modules.
      .header('cache-control', 'no-cache')
      .header('etag', asset.etag)
      .type(asset.type);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };

  app.get('/ui', hide, async (_req, reply) => reply.redirect('/ui/', 302));
  app.get('/ui/', hide, async (req, reply) => send(req, reply, assets.get('index.html')!));
  app.get('/ui/config.json', hide, async (_req, reply) => reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(config));
  app.get('/ui/*', hide, async (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    const asset = assets.get(path);
    if (!asset) return reply.callNotFound();
    return send(req, reply, asset);
  });
};
