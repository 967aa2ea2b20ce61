/**
 * Runs the code blocks of the documentation (README.md, docs/*.md) the way a reader would: every
 * ```sh / ```bash block in one bash session per file, in order, with `set -euo pipefail`, so a block
 * can use the variables and functions of the blocks above it; every ```python block with python3 in
 * that session (it sees the exported variables). An HTML comment right above a block (blank lines
 * allowed between) changes what happens to it:
 *
 *   <!-- not-tested: <why> -->       not run; the reason is required (starts the service, stops Neo4j, …)
 *   <!-- expect-status: 409 400 -->  these non-2xx answers of curl are part of the example (each must occur)
 *   <!-- expect-exit: 2 -->          the block must end with this exit status (run in a subshell)
 *   <!-- file: tune.py -->           not run: written to that file for a later block to run
 *
 * `curl` is a bash function in the session: it runs the real curl and fails the block on any HTTP
 * status outside 2xx that the block did not announce. Any other comment right above a block, or a
 * shell-like language other than sh/bash/python (```console, ```shell, ```py, …), is an error, so a
 * block cannot escape the test by a typo. See test/docs/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export type Lang = 'sh' | 'python';

export interface Markers {
  notTested?: string;
  expectStatus?: number[];
  expectExit?: number;
  file?: string;
}

export interface Block {
  /** Path as given to parseBlocks (for messages). */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: Lang;
  code: string;
  markers: Markers;
}

const LANGS: Record<string, Lang> = { sh: 'sh', bash: 'sh', python: 'python' };
/** Languages that look runnable but would not be run: refused, so a block cannot slip through. */
const REFUSED = new Set(['shell', 'console', 'zsh', 'fish', 'sh-session', 'shell-session', 'bash-session', 'terminal', 'py', 'python3', 'pycon', 'ipython']);
const MARKER = /^<!--\s*([a-z-]+)\s*:\s*(.*?)\s*-->$/;

/** The runnable blocks of a markdown text, and what is wrong with its markers. */
export function parseBlocks(file: string, text: string): { blocks: Block[]; problems: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/.exec(lines[i]!);
    // As in CommonMark, a backtick fence's info string has no backtick (else the line is inline code).
    if (!open || (open[2]!.startsWith('`') && open[4]!.includes('`'))) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length; i++) {
      const l = lines[i]!;
      if (
        l.trim().startsWith(fence[0]!.repeat(fence.length)) &&
        l
          .trim()
          .replace(new RegExp(`^\\${fence[0]}+`), '')
          .trim() === ''
      )
        break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    const lang = info.toLowerCase();
    const where = `${file}:${start + 1}`;
    if (REFUSED.has(lang))
      problems.push(
        `${where}: \`\`\`${lang} is not run by the docs test; write \`\`\`sh, \`\`\`bash or \`\`\`python (or a non-code language such as \`\`\`text)`,
      );

    // Comments right above the fence (blank lines allowed) are its markers.
    const markers: Markers = {};
    for (let j = start - 1; j >= 0; j--) {
      const l = lines[j]!.trim();
      if (l === '') continue;
      if (!l.startsWith('<!--')) break;
      const m = MARKER.exec(l);
      const [key, value = ''] = m ? [m[1], m[2]] : [];
      if (key === 'not-tested') {
        if (!value) problems.push(`${where}: not-tested needs a reason`);
        markers.notTested = value;
      } else if (key === 'expect-status' && /^\d{3}(\s+\d{3})*$/.test(value)) {
        markers.expectStatus = value.split(/\s+/).map(Number);
      } else if (key === 'expect-exit' && /^\d+$/.test(value)) {
        markers.expectExit = Number(value);
      } else if (key === 'file' && /^[\w.-]+$/.test(value)) {
        markers.file = value;
      } else {
        problems.push(`${where}: unknown or malformed marker ${l} (known: not-tested: <why>, expect-status: <codes>, expect-exit: <n>, file: <name>)`);
      }
    }
    const kind = LANGS[lang];
    if (!kind) {
      if (Object.keys(markers).length) problems.push(`${where}: markers on a \`\`\`${lang || '(no language)'} block, which is never run`);
      continue;
    }
    blocks.push({ file, line: start + 1, lang: kind, code: `${body.join('\n')}\n`, markers });
  }
  // A file block must be run by a later block, or it is tested by nobody.
  blocks.forEach((b, k) => {
    const name = b.markers.file;
    if (!name) return;
    if (b.lang !== 'python') problems.push(`${file}:${b.line}: file: is for python blocks`);
    if (b.markers.notTested) problems.push(`${file}:${b.line}: a block is either a file or not tested`);
    const runner = blocks.slice(k + 1).find((o) => !o.markers.notTested && !o.markers.file && o.code.includes(name));
    if (!runner) problems.push(`${file}:${b.line}: ${name} is written but no later tested block runs it`);
  });
  return { blocks, problems };
}

/** The curl wrapper and the bookkeeping every session starts with. */
const PRELUDE = String.raw`
__docs_line=0
__docs_expect=''
__docs_t0=0
__docs_begin() {
  __docs_line=$1; __docs_expect=$2; __docs_t0=$(date +%s%N)
  echo "$1" > "$DOCS_META/current"
  printf '\n──── %s:%s (%s)\n' "$DOCS_FILE" "$1" "$3"
}
__docs_done() {
  echo "$__docs_line $(( ($(date +%s%N) - __docs_t0) / 1000000 ))" >> "$DOCS_META/done"
}
curl() {
  local __docs_err __docs_rc=0 __docs_status __docs_s
  __docs_err=$(mktemp)
  command curl "$@" --write-out '%{stderr}__docs_status=%{http_code}\n' 2>"$__docs_err" || __docs_rc=$?
  __docs_status=$(sed -n 's/^__docs_status=//p' "$__docs_err" | tail -n 1)
  sed '/^__docs_status=/d' "$__docs_err" >&2
  rm -f "$__docs_err"
  [[ -n "$__docs_status" ]] || __docs_status=000
  echo "$__docs_line $__docs_status" >> "$DOCS_META/statuses"
  if (( __docs_rc != 0 )); then return "$__docs_rc"; fi
  case "$__docs_status" in 2??) return 0 ;; esac
  for __docs_s in $__docs_expect; do [[ "$__docs_s" == "$__docs_status" ]] && return 0; done
  printf "\n"; echo "[docs test] HTTP $__docs_status from: curl $* -- not announced; put <!-- expect-status: $__docs_status --> above the block if it is part of the example" >&2
  return 22
}
`;

export interface RunResult {
  exitCode: number | null;
  output: string;
  /** Line of each block that ran to its end, with its milliseconds. */
  done: Map<number, number>;
  /** HTTP statuses curl got, per block line. */
  statuses: Map<number, number[]>;
  /** Line of the block that was running when the session stopped. */
  current: number | null;
  seconds: number;
}

/** Repository entries a session's working folder links to, so `npm run …` works there and files the blocks write stay out of the tree. */
const LINKED = ['package.json', 'package-lock.json', 'tsconfig.json', 'node_modules', 'src', 'graph', 'optimizers', 'bench', 'scripts'];

/** Runs the tested blocks of one file in one bash session, in a throw-away working folder. */
export async function runBlocks(repoRoot: string, file: string, blocks: Block[], env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'precedent-docs-'));
  const meta = join(work, '.docs');
  mkdirSync(join(meta, 'blocks'), { recursive: true });
  for (const entry of LINKED) symlinkSync(join(repoRoot, entry), join(work, entry));
  writeFileSync(join(meta, 'prelude.sh'), PRELUDE);
  const script = ['set -euo pipefail', 'exec 2>&1', 'source .docs/prelude.sh'];
  for (const b of blocks) {
    if (b.markers.notTested) continue;
    const name = `.docs/blocks/${b.line}.${b.lang === 'python' ? 'py' : 'sh'}`;
    writeFileSync(join(work, name), b.code);
    script.push(`__docs_begin ${b.line} '${(b.markers.expectStatus ?? []).join(' ')}' ${b.markers.file ? `file:${b.markers.file}` : b.lang}`);
    if (b.markers.file) script.push(`cp ${name} ${b.markers.file}`);
    else if (b.markers.expectExit !== undefined) {
      const run = b.lang === 'python' ? `python3 ${name}` : `set -e; source ${name}`;
      script.push(
        `set +e; ( ${run} ); __docs_rc=$?; set -e`,
        `if [[ $__docs_rc -ne ${b.markers.expectExit} ]]; then echo "[docs test] exit status $__docs_rc, the block announces ${b.markers.expectExit}"; exit 1; fi`,
      );
    } else script.push(b.lang === 'python' ? `python3 ${name}` : `source ${name}`);
    script.push('__docs_done');
  }
  writeFileSync(join(meta, 'session.sh'), `${script.join('\n')}\n`);

  const t0 = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['.docs/session.sh'], {
      cwd: work,
      env: { ...env, DOCS_META: meta, DOCS_FILE: relative(repoRoot, file) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      out += `\n[docs test] timed out after ${timeoutMs / 1000} s`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }, timeoutMs);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, output: out });
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const read = (name: string) => {
    try {
      return readFileSync(join(meta, name), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const done = new Map(read('done').map((l) => l.split(' ').map(Number) as [number, number]));
  const statuses = new Map<number, number[]>();
  for (const [line, status] of read('statuses').map((l) => l.split(' ').map(Number) as [number, number])) {
    statuses.set(line, [...(statuses.get(line) ?? []), status]);
  }
  const current = read('current').map(Number)[0] ?? null;
  rmSync(work, { recursive: true, force: true });
  return { exitCode: code, output, done, statuses, current, seconds };
}
