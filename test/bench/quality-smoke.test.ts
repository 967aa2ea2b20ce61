// Smoke run of `npm run bench -- quality` in-process: 2 tasks, budget 5, 1 seed. Checks the outputs exist
// and make sense, not the figures (those are the benchmark's job).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityCommand } from '../../bench/quality/command.ts';
import { findOptunaPython } from '../../bench/quality/optuna.ts';
import { ensureOptunaPython } from '../support/python.ts';
import { QualityResultsSchema } from '../../bench/quality/schema.ts';
import { suitesDir } from '../helpers/suites.ts';

const out = mkdtempSync(join(os.tmpdir(), 'precedent-quality-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let optuna = false;
// Installs Debian's python3-optuna when it is missing and we may (apt may wait for another test's install).
beforeAll(() => {
  ensureOptunaPython();
  optuna = findOptunaPython() !== null;
}, 900_000);

describe('bench quality (smoke)', () => {
  it('writes results.json, summary.md and regret.svg with sane regret curves', async () => {
    const methods = ['random', 'gp', 'transfer', 'optuna-tpe'];
    const log: string[] = [];
    const argv = [
      '--suite',
      join(suitesDir(), 'ecml2016-adaboost.json'),
      '--tasks',
      '2',
      '--budget',
      '5',
      '--seeds',
      '1',
      '--methods',
      methods.join(','),
      '--out',
      out,
    ];
    expect(await qualityCommand(argv, (l) => log.push(l))).toBe(0);

    const r = QualityResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    const ran = optuna ? methods : methods.filter((m) => m !== 'optuna-tpe');
    expect(r.methods).toEqual(ran);
    expect(r.budgets).toEqual([1, 5]);
    expect(r.protocol.tasks).toHaveLength(2);
    if (!optuna) expect(r.protocol.skipped.map((s) => s.method)).toEqual(['optuna-tpe']);
    for (const m of ran) {
      expect(r.curves[m]).toHaveLength(2);
      for (const c of r.curves[m]!) {
        expect(c.regret).toHaveLength(5);
        c.regret.forEach((v, t) => {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          if (t > 0) expect(v).toBeLessThanOrEqual(c.regret[t - 1]!);
        });
      }
      for (const b of ['1', '5']) {
        expect(r.summary[m]![b]).toBeGreaterThanOrEqual(0);
        expect(r.summary[m]![b]).toBeLessThanOrEqual(1);
        expect(r.ranks[m]![b]).toBeGreaterThanOrEqual(1);
        expect(r.ranks[m]![b]).toBeLessThanOrEqual(ran.length);
      }
      expect(r.summary[m]!['5']).toBeLessThanOrEqual(r.summary[m]!['1']!);
    }
    // Ranks at one budget average (k + 1) / 2 over k methods.
    const rankSum = ran.reduce((s, m) => s + r.ranks[m]!['5']!, 0);
    expect(rankSum).toBeCloseTo((ran.length * (ran.length + 1)) / 2, 9);
    if (optuna) expect(r.trialsToTarget['optuna-tpe']).not.toBeNull();
    else expect(Object.values(r.trialsToTarget).every((v) => v === null)).toBe(true);

    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| transfer |');
    const svg = readFileSync(join(out, 'regret.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const m of ran) expect(svg).toContain(m);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    expect(log.some((l) => l.startsWith('[2/2]'))).toBe(true);
  }, 60_000);
});
