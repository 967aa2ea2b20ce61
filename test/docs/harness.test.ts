// The docs test's own machinery (test/support/doc-blocks.ts): what a marker does, and that a block
// cannot go untested or hide an HTTP error silently. Against a tiny local HTTP server, no Neo4j.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { parseBlocks, runBlocks } from '../support/doc-blocks.ts';

describe('parseBlocks', () => {
  it('finds sh, bash and python blocks with their markers, and ignores other languages', () => {
    const { blocks, problems } = parseBlocks(
      'x.md',
      `# t

\`\`\`sh
echo one
\`\`\`

<!-- expect-status: 409 404 -->
\`\`\`bash
curl -s $B/x
\`\`\`

<!-- not-tested: starts the service itself -->

\`\`\`sh
npm start
\`\`\`

\`\`\`json
{"a": 1}
\`\`\`

- a list item:

  \`\`\`python
  print("indented")
  \`\`\`
`,
    );
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.lang, b.markers])).toEqual([
      [3, 'sh', {}],
      [8, 'sh', { expectStatus: [409, 404] }],
      [14, 'sh', { notTested: 'starts the service itself' }],
      [24, 'python', {}],
    ]);
    expect(blocks[3]!.code).toBe('print("indented")\n');
  });

  it('takes a line that starts with inline code for text, not for a fence (as CommonMark does)', () => {
    const { blocks, problems } = parseBlocks('x.md', '```` ```sh ```` is inline code\n```sh\necho x\n```\n');
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.code])).toEqual([[2, 'echo x\n']]);
  });

  it('refuses what would let a block slip through: unknown markers, reasonless not-tested, look-alike languages, unused files', () => {
    const { problems } = parseBlocks(
      'x.md',
      `<!-- not tested -->
\`\`\`sh
a
\`\`\`
<!-- not-tested: -->
\`\`\`sh
b
\`\`\`
\`\`\`console
$ c
\`\`\`
<!-- file: tune.py -->
\`\`\`python
print(1)
\`\`\`
<!-- expect-status: 409 -->
\`\`\`text
d
\`\`\`
`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^x\.md:2: unknown or malformed marker <!-- not tested -->/),
      'x.md:6: not-tested needs a reason',
      expect.stringMatching(/^x\.md:9: ```console is not run/),
      'x.md:17: markers on a ```text block, which is never run',
      'x.md:13: tune.py is written but no later tested block runs it',
    ]);
  });
});

describe('runBlocks', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = (text: string) => {
    const { blocks, problems } = parseBlocks('x.md', text);
    expect(problems).toEqual([]);
    return runBlocks(REPO_ROOT, `${REPO_ROOT}/x.md`, blocks, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', B: base }, 30_000);
  };

  it('runs a file in one session: variables and functions carry over, python sees what was exported, files are written for later blocks', async () => {
    const r = await run(`\`\`\`sh
X=$(curl -s $B/201)
f() { echo "f:$1"; }
export Y=exported
\`\`\`
<!-- file: show.py -->
\`\`\`python
import os, sys
print("py:" + os.environ["Y"] + ":" + sys.argv[1])
\`\`\`
\`\`\`bash
f "$X"
python3 show.py arg
\`\`\`
<!-- expect-exit: 3 -->
\`\`\`sh
(exit 3)
echo never
\`\`\`
`);
    expect(r.exitCode, r.output).toBe(0);
    expect([...r.done.keys()]).toEqual([1, 7, 11, 16]);
    expect(r.output).toContain('f:{"status":201}');
    expect(r.output).toContain('py:exported:arg');
    expect(r.output).not.toContain('never');
    expect(r.statuses.get(1)).toEqual([201]);
  });

  it('fails a block on an HTTP status it did not announce, and records the announced ones', async () => {
    const announced = await run(`<!-- expect-status: 409 -->
\`\`\`sh
curl -s $B/409
curl -s $B/200
\`\`\`
`);
    expect(announced.exitCode, announced.output).toBe(0);
    expect(announced.statuses.get(2)).toEqual([409, 200]);

    const silent = await run(`\`\`\`sh
echo before
\`\`\`
\`\`\`sh
curl -s $B/404 > /dev/null
echo after
\`\`\`
\`\`\`sh
echo later
\`\`\`
`);
    expect(silent.exitCode).not.toBe(0);
    expect(silent.current).toBe(4);
    expect([...silent.done.keys()]).toEqual([1]);
    expect(silent.output).toContain('HTTP 404 from: curl -s');
    expect(silent.output).not.toContain('after');
  });

  it('stops at the first failing command of a block (set -euo pipefail)', async () => {
    const r = await run(`\`\`\`sh
false | cat
echo unreachable
\`\`\`
`);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).not.toContain('unreachable');
  });
});
