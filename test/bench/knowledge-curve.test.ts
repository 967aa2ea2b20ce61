// Smoke run of `npm run bench -- knowledge-curve`: 2 tasks × 2 seeds, budget 5. Checks the three outputs
// exist and their figures are sane, not the figures themselves (those are the benchmark's job).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compactRanges,
  type KnowledgeResults,
  knowledgeCommand,
  knowledgeCurve,
  knowledgeReportCommand,
  parseKs,
} from '../../bench/quality/knowledge-curve.ts';
import { type Curve, type QualityResults, QualityResultsSchema } from '../../bench/quality/schema.ts';
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

    // knowledge-report recomputes the figures and summary from the curves alone: the noise reference
    // and the verdicts, taken out of the file, come back as they were.
    const before = { json: readFileSync(join(out, 'results.json'), 'utf8'), md };
    const stripped = JSON.parse(before.json) as KnowledgeResults;
    delete (stripped.knowledgeCurve as Partial<KnowledgeResults['knowledgeCurve']>).noise;
    for (const c of stripped.knowledgeCurve.noCost) delete (c as Partial<typeof c>).beyondNoise;
    writeFileSync(join(out, 'results.json'), JSON.stringify(stripped));
    writeFileSync(join(out, 'summary.md'), '');
    expect(await knowledgeReportCommand([out], () => {})).toBe(0);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before.json);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(before.md);
    // A quality result without a knowledge curve is refused by name.
    const plain = mkdtempSync(join(os.tmpdir(), 'precedent-knowledge-plain-'));
    const { knowledgeCurve: _, ...quality } = stripped;
    writeFileSync(join(plain, 'results.json'), JSON.stringify(quality));
    await expect(knowledgeReportCommand([plain], () => {})).rejects.toThrow(/is not a knowledge-curve result/);
    rmSync(plain, { recursive: true, force: true });
  }, 60_000);

  it("says a K's cost is beyond gp's own noise only when it is above gp against itself, and has no reference with one seed", () => {
    const curve = (task: string, seed: number, regret: number[]): Curve => ({ task, seed, incumbent: regret.map((r) => 1 - r), regret });
    const tasks = ['a', 'b', 'c', 'd'];
    const gpOf = (t: string) => [0.5, 0.3, 0.1 + tasks.indexOf(t) / 100];
    const results = (seeds: number[]): QualityResults => {
      const runs = (f: (t: string, s: number) => number[]) => tasks.flatMap((t) => seeds.map((s) => curve(t, s, f(t, s))));
      return {
        format: 'quality/1',
        suite: 's',
        methods: ['gp', 'transfer-k1', 'transfer-k2'],
        budgets: [3],
        protocol: { budget: 3, seeds, priorTrials: 10, shufflePriors: false, viaService: false, tasks, skipped: [] },
        summary: {},
        ranks: {},
        trialsToTarget: {},
        curves: {
          // gp's seeds of a task agree exactly: against itself it reads 0 at every budget.
          gp: runs((t) => gpOf(t)),
          'transfer-k1': runs((t) => gpOf(t)),
          // Worse at the last budget, by different amounts: positive with spread.
          'transfer-k2': runs((t, s) => gpOf(t).map((v, i) => (i === 2 ? v + 0.01 * s + 0.01 * tasks.indexOf(t) : v))),
        },
      };
    };
    const kc = knowledgeCurve(results([1, 2]), [1, 2], 4);
    expect(kc.noise).toMatchObject({ pairs: 4, withinOneSe: 1, worstZ: { median: 0, p90: 0, p95: 0 }, budgetsBeyond: { median: 0, p95: 0 } });
    const [k1, k2] = kc.noCost;
    expect(k1).toMatchObject({ k: 1, withinOneSe: true, beyond: [], beyondNoise: false });
    expect(k1!.worst.z).toBe(0);
    expect(k2).toMatchObject({ k: 2, withinOneSe: false, beyond: [3], beyondNoise: true });
    expect(knowledgeCurve(results([1]), [1, 2], 4).noCost.map((c) => c.beyondNoise)).toEqual([null, null]);
  });

  it('parses --ks and names budget ranges compactly', () => {
    expect(parseKs('0,1,2,4,8,all', 49)).toEqual([0, 1, 2, 4, 8, 'all']);
    expect(parseKs('2,1,2', 49)).toEqual([2, 1]);
    expect(() => parseKs('0', 49)).toThrow(/at least one K ≥ 1/);
    expect(() => parseKs('1,50', 49)).toThrow(/more than the 49 other tasks/);
    expect(() => parseKs('1,x', 49)).toThrow(/non-negative integer or 'all'/);
    expect(compactRanges([1, 2, 3, 7, 9, 10])).toBe('1–3, 7, 9–10');
  });
});
