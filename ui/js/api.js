// @ts-check
// The API as the dashboard calls it: same origin, the key from session storage (it is gone when the
// tab closes, and never written anywhere else), a 401 turned into a message that says what to do.

const KEY = 'precedent.apiKey';

export class Unauthorized extends Error {}

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const UNAUTHORIZED_HELP =
  'The service answered 401 Unauthorized: this API key is unknown or has been revoked. ' +
  'An API key opens one project; `npm start` prints where the default project’s key is stored, and ' +
  '`npm run keys -- create --project <name>` makes a new one.';

export function getKey() {
  return sessionStorage.getItem(KEY);
}

/** @param {string} key */
export function setKey(key) {
  sessionStorage.setItem(KEY, key);
}

export function clearKey() {
  sessionStorage.removeItem(KEY);
}

/** The API's base: `/v1` beside the `/ui/` the page was served from (so a path prefix in front of both works). */
const base = () => new URL('../v1/', window.location.href.split('#')[0]);

/**
 * GET `path` (relative to /v1/) as JSON. A 401 forgets the key and throws Unauthorized.
 * @template T
 * @param {string} path
 * @param {{ key?: string; method?: string; body?: unknown }} [opts]
 * @returns {Promise<T>}
 */
export async function api(path, opts = {}) {
  const key = opts.key ?? getKey();
  if (!key) throw new Unauthorized('No API key: log in first.');
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', authorization: `Bearer ${key}` };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(new URL(path.replace(/^\//, ''), base()), {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, `The service could not be reached (${/** @type {Error} */ (err).message}). Is it still running?`);
  }
  if (res.status === 401) {
    if (!opts.key) clearKey();
    throw new Unauthorized(UNAUTHORIZED_HELP);
  }
  const text = await res.text();
  /** @type {any} */
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body?.message ? `${res.status}: ${body.message}` : `${res.status} ${res.statusText}`);
  return /** @type {T} */ (body);
}
