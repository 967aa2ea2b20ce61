#!/usr/bin/env node
// The two README commands land here. It must run on a fresh clone before `npm ci`, so it
// uses nothing but Node itself: install the npm dependencies when missing or stale, then hand
// over to the TypeScript CLI (start) or to the type checker and test runner (test).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [mode, ...rest] = process.argv.slice(2);

function fail(message, hint) {
  console.error(`\nprecedent: ${message}\n  → ${hint}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node ${process.versions.node} is too old.`, 'Install Node 20.19 or newer.');
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`, `Check that ${cmd} is installed and on PATH.`);
  return r.status ?? 1;
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.precedent-lock-sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  console.log('[precedent] installing npm dependencies (npm ci)...');
  const t0 = Date.now();
  if (run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']) !== 0) {
    fail('npm ci failed.', 'Check that the npm registry is reachable, then run the command again.');
  }
  writeFileSync(stamp, want);
  console.log(`[precedent] dependencies installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

ensureDependencies();
if (mode === 'start') {
  process.exit(run(bin('tsx'), ['src/cli.ts', 'start', ...rest]));
} else if (mode === 'test') {
  console.log('[precedent] type-checking (tsc --noEmit)...');
  if (run(bin('tsc'), ['--noEmit']) !== 0) process.exit(1);
  console.log('[precedent] linting and checking the format (biome ci)...');
  if (run(bin('biome'), ['ci', '.']) !== 0) {
    fail('the linter or the formatter found problems (above).', 'Run `npx biome check --write .` (formats, applies safe fixes), then fix what remains.');
  }
  process.exit(run(bin('vitest'), ['run', ...rest]));
} else {
  fail(`unknown mode ${JSON.stringify(mode)}`, 'use `npm start` or `npm test`.');
}
