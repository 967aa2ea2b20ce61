// The dashboard's browser modules (ui/js/*.js, JSDoc-typed) type-check with the DOM library against the
// API's zod schemas (ui/types.d.ts): the root tsconfig covers server code only.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';

it('type-checks ui/ with tsc -p ui/tsconfig.json', () => {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO_ROOT, 'ui', 'tsconfig.json')], { encoding: 'utf8', timeout: 90_000 });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
  expect(r.status).toBe(0);
}, 100_000);
