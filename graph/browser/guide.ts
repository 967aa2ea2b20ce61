// The Neo4j Browser guide and style sheet, built from the files beside this module. The guide's
// query slides come from queries.cypher, the one place those queries are written down.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface SavedQuery {
  id: string;
  title: string;
  /** The comment lines under the header, joined into paragraphs. */
  description: string;
  cypher: string;
}

const HEADER = /^\/\/ ==== ([a-z0-9-]+) \| (.+)$/;

/**
 * Splits queries.cypher into its queries. A query is a `// ==== id | title` header, comment lines
 * (the explanation), then Cypher up to the next header; the file's preamble is skipped.
 */
export function parseQueries(text: string): SavedQuery[] {
  const out: SavedQuery[] = [];
  let cur: { id: string; title: string; comments: string[]; code: string[] } | null = null;
  const flush = () => {
    if (!cur) return;
    const cypher = cur.code.join('\n').trim();
    if (!cypher) throw new Error(`queries.cypher: query "${cur.id}" has no Cypher`);
    out.push({ id: cur.id, title: cur.title, description: cur.comments.join(' ').replace(/\s+/g, ' ').trim(), cypher });
  };
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line.trimEnd());
    if (header) {
      flush();
      cur = { id: header[1]!, title: header[2]!.trim(), comments: [], code: [] };
    } else if (cur && cur.code.length === 0 && line.startsWith('//')) {
      cur.comments.push(line.replace(/^\/\/\s?/, ''));
    } else if (cur) {
      cur.code.push(line);
    }
  }
  flush();
  const ids = out.map((q) => q.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`queries.cypher: query id "${dup}" appears twice`);
  return out;
}

export function loadQueries(): SavedQuery[] {
  return parseQueries(readFileSync(join(HERE, 'queries.cypher'), 'utf8'));
}

export function loadStyle(): string {
  return readFileSync(join(HERE, 'style.grass'), 'utf8');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Backquoted words in the explanations become <code>, the only markup the comments carry. */
const prose = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** Browser turns `pre.runnable` into a block with a play button that runs its text. */
const runnable = (text: string) => `<pre mode="cypher" class="pre-scrollable code runnable">${escapeHtml(text)}</pre>`;

function querySlide(q: SavedQuery): string {
  return `
    <slide class="row-fluid">
      <div class="col-sm-12">
        <h3>${escapeHtml(q.title)}</h3>
        <p>${prose(q.description)}</p>
        ${runnable(q.cypher)}
        <p class="small">Saved as <code>${escapeHtml(q.id)}</code> in <code>graph/browser/queries.cypher</code>. Uses <code>$project</code> from the first slide.</p>
      </div>
    </slide>`;
}

/**
 * The guide as Neo4j Browser's `:play <url>` renders it: an HTML document whose <slide> elements
 * become a carousel; `serviceUrl` is where this service is reachable from the person's browser.
 */
export function renderGuide(opts: { serviceUrl: string; queries?: SavedQuery[] }): string {
  const template = readFileSync(join(HERE, 'guide.html'), 'utf8');
  const queries = opts.queries ?? loadQueries();
  return template.replace('<!-- QUERY SLIDES -->', queries.map(querySlide).join('\n')).replaceAll('{{serviceUrl}}', escapeHtml(opts.serviceUrl));
}
