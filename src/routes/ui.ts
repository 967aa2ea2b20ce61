import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
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
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything the page may load comes from this service: no CDN, no inline script or style, no frames.
 * The API is same-origin (`connect-src 'self'`), so the dashboard needs no CORS. No 'unsafe-eval':
 * the charts' Vega expressions are interpreted (vega-interpreter), never compiled with `Function`.
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

function toAsset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
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
      out.set(relative(dir, path).split(sep).join('/'), toAsset(readFileSync(path), type));
    }
  };
  walk(dir);
  return out;
}

/**
 * The chart library, served from the installed packages (dependencies in package.json, nothing copied
 * into ui/) under vendor/: Vega and Vega-Lite as their UMD builds (classic scripts that define the
 * globals `vega` and `vegaLite`), Vega's CSP-safe expression interpreter as an ES module, and the three
 * packages' licences (BSD-3-Clause) beside them.
 */
export function loadVendor(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  // Each package's entry point is in its build/ folder; its exports map hides every other path.
  const build = (pkg: string) => dirname(require.resolve(pkg));
  const out = new Map<string, Asset>();
  const js = TYPES['.js']!;
  const txt = TYPES['.txt']!;
  for (const [pkg, file] of [
    ['vega', 'vega.min.js'],
    ['vega-lite', 'vega-lite.min.js'],
  ] as const) {
    out.set(`vendor/${file}`, toAsset(readFileSync(join(build(pkg), file)), js));
  }
  // vega-interpreter's only build is an ES module that imports three functions from vega-util; the
  // vega build above already holds vega-util, so the import is read from the `vega` global instead
  // (the page loads vega.min.js before any module). Anything else it imports would fail here, at start.
  const interpreter = readFileSync(require.resolve('vega-interpreter'), 'utf8');
  const IMPORT = /^import \{ ([\w, ]+) \} from 'vega-util';$/m;
  if (!IMPORT.test(interpreter)) throw new Error("vega-interpreter's build no longer imports vega-util as the dashboard expects");
  const rewritten = interpreter.replace(IMPORT, 'const { $1 } = globalThis.vega;');
  if (/^\s*import\b/m.test(rewritten)) throw new Error('vega-interpreter imports a module the dashboard does not serve');
  out.set('vendor/vega-interpreter.js', toAsset(Buffer.from(rewritten), js));
  for (const pkg of ['vega', 'vega-lite', 'vega-interpreter']) {
    out.set(`vendor/${pkg}-LICENSE.txt`, toAsset(readFileSync(join(build(pkg), '..', 'LICENSE')), txt));
  }
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
 * The web dashboard at /ui/: static files read once at start (a broken checkout or a missing chart
 * library fails the start, not the first visitor), the chart library under /ui/vendor/, and /ui/config.json with the settings the page needs. The page calls the /v1 API
 * with the API key the person enters; nothing here needs a key.
 */
export const uiRoutes: FastifyPluginAsync<UiOptions> = async (app, opts) => {
  const assets = new Map([...loadAssets(opts.root ?? UI_ROOT), ...loadVendor()]);
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
