// Smoke run of `npm run bench -- knowledge-curve`: 2 tasks × 2 seeds, budget 5. Checks the three outputs
// exist and their figures are sane, not the figures themselves (those are the benchmark's job).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactRanges, type KnowledgeResults, knowledgeCommand, knowledgeReportCommand, parseKs } from '../../bench/quality/knowledge-curve.ts';
import { QualityResultsSchema } from '../../bench/quality/schema.ts';
import { suitesDir } from '../helpers/suites.ts';

const out = mkdtempSync(join(os.tmpdir(), 'precedent-knowledge-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench knowledge-curve (smoke)', () => {
  it('writes results.json, summary.md and knowledge-curve.svg with sane figures', async () => {
    const log: string[] = [];
    const argv = ['--suite', join(suitesDir(), 'ecml2016-adaboost.json'), '--ks', '0,1,2,all', '--tasks', '2', '--seeds', '2', '--budget', '5', '--out', out];
    expect(await knowledgeCommand(argv, (l) => log.push(l))).toBe(0);

    const raw = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as KnowledgeResults;
    const r = QualityResultsSchema.parse(raw);
    expect(r.methods).toEqual(['gp', 'transfer-k1', 'transfer-k2', 'transfer-all']);
    expect(r.protocol.tasks).toHaveLength(2);
    expect(r.environment?.command).toContain('knowledge-curve');
    const kc = raw.knowledgeCurve;
    expect(kc.ks).toEqual([0, 1, 2, 'all']);
    expect(kc.budgets).toEqual([5]);
    expect(kc.points.map((p) => [p.label, p.method, p.priors])).toEqual([
      ['0 (gp)', 'gp', 0],
      ['1', 'transfer-k1', 1],
      ['2', 'transfer-k2', 2],
      ['all (49)', 'transfer-all', 49],
    ]);
    for (const p of kc.points) {
      const { mean, standardError } = p.regret['5']!;
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1);
      expect(standardError).toBeGreaterThanOrEqual(0);
      expect(mean).toBeCloseTo(r.summary[p.method]!['5']!, 12);
    }
    expect(kc.noCost.map((c) => c.method)).toEqual(['transfer-k1', 'transfer-k2', 'transfer-all']);
    for (const c of kc.noCost) {
      expect(c.pairs).toBe(4);
      expect(c.worst.budget).toBeGreaterThanOrEqual(1);
      expect(c.worst.budget).toBeLessThanOrEqual(5);
      expect(c.withinOneSe).toBe(c.beyond.length === 0);
    }
    // gp against itself: one pair of seeds per task.
    expect(kc.noise).toMatchObject({ method: 'gp', pairs: 2, pairings: 500 });
    expect(kc.noise!.worstZ.median).toBeLessThanOrEqual(kc.noise!.worstZ.p95);
    for (const c of kc.noCost) expect(typeof c.beyondNoise).toBe('boolean');
    // Budget 5 < 10: no transfer@10 check.
    expect(kc.early).toEqual([]);

    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| 0 (gp) | gp |');
    expect(md).toContain('| all (49) | transfer-all |');
    expect(md).toContain('diff ≤ 1 SE at every budget');
    expect(md).toContain('knowledge-curve.svg');
    const svg = readFileSync(join(out, 'knowledge-curve.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('regret@5');
    expect(svg).toContain('all (49)');
    expect(md).toContain('gp against itself');
    expect(log.some((l) => l.startsWith('[4/4]'))).toBe(true);

    // knowledge-report recomputes the same figures and summary from the results alone.
    const before = { json: readFileSync(join(out, 'results.json'), 'utf8'), md };
    writeFileSync(join(out, 'summary.md'), '');
    expect(await knowledgeReportCommand([out], () => {})).toBe(0);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before.json);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(before.md);
  }, 60_000);

  it('parses --ks and names budget ranges compactly', () => {
    expect(parseKs('0,1,2,4,8,all', 49)).toEqual([0, 1, 2, 4, 8, 'all']);
    expect(parseKs('2,1,2', 49)).toEqual([2, 1]);
    expect(() => parseKs('0', 49)).toThrow(/at least one K ≥ 1/);
    expect(() => parseKs('1,50', 49)).toThrow(/more than the 49 other tasks/);
    expect(() => parseKs('1,x', 49)).toThrow(/non-negative integer or 'all'/);
    expect(compactRanges([1, 2, 3, 7, 9, 10])).toBe('1–3, 7, 9–10');
  });
});
