// The quality runner: the prior-experiment draw of `--prior-experiments K`, the nested `--tasks N`
// prefixes, `--resume` of an interrupted run, and the small honesty fixes of the table and warnings.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qualityCommand } from '../../bench/quality/command.ts';
import { PARTIAL_FILE } from '../../bench/quality/partial.ts';
import { trialsToTargetCell } from '../../bench/quality/report.ts';
import { selectTasks, taskOrder } from '../../bench/quality/run.ts';
import { metaFeatureWarnings } from '../../bench/quality/runner.ts';
import { QualityResultsSchema, type QualityResults } from '../../bench/quality/schema.ts';
import { drawPriors, priorExperimentIds } from '../../bench/tabular/priors.ts';
import { loadSuite, suitesDir } from '../helpers/suites.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'precedent-quality-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--prior-experiments K', () => {
  const suite = loadSuite('ecml2016-adaboost');
  const others = suite.tasks.length - 1;

  it('draws K distinct other tasks, never the target, the same for the same (seed, target), nested in K', () => {
    for (const target of suite.tasks.slice(0, 5)) {
      for (const seed of [1, 2, 3]) {
        let previous: string[] = [];
        for (const k of [0, 1, 2, 4, 8, 20, others]) {
          const ids = priorExperimentIds(suite, target, k, seed);
          expect(ids).toHaveLength(k);
          expect(new Set(ids).size).toBe(k);
          expect(ids).not.toContain(target.id);
          expect(priorExperimentIds(suite, target, k, seed)).toEqual(ids);
          for (const id of previous) expect(ids).toContain(id);
          previous = ids;
        }
      }
    }
    const t = suite.tasks[0]!;
    // The draw depends on the seed and the target.
    expect(new Set([1, 2, 3, 4, 5].map((seed) => priorExperimentIds(suite, t, 2, seed).join())).size).toBeGreaterThan(1);
    expect(priorExperimentIds(suite, t, 'all', 1)).toEqual(suite.tasks.slice(1).map((x) => x.id));
    expect(() => priorExperimentIds(suite, t, others + 1, 1)).toThrow(/only 49 other tasks/);
  });

  it('all keeps every other task with the same draws; K keeps those draws for its K tasks', () => {
    const t = suite.tasks[3]!;
    const all = drawPriors(suite, t, { priorTrials: 20, seed: 2 });
    expect(drawPriors(suite, t, { priorTrials: 20, seed: 2, priorExperiments: 'all' })).toEqual(all);
    const four = drawPriors(suite, t, { priorTrials: 20, seed: 2, priorExperiments: 4 });
    expect(four.map((p) => p.id)).toEqual(priorExperimentIds(suite, t, 4, 2));
    for (const p of four) expect(p).toEqual(all.find((a) => a.id === p.id));
  });
});

describe('--tasks N', () => {
  it('takes prefixes of one fixed seeded order, so smaller selections nest in larger ones', () => {
    const suite = loadSuite('ecml2016-svm');
    const ids = (n: number) => selectTasks(suite, String(n)).map((t) => t.id);
    const [a, b, c] = [ids(8), ids(12), ids(20)];
    expect([a.length, b.length, c.length]).toEqual([8, 12, 20]);
    for (const id of a) expect(b).toContain(id);
    for (const id of b) expect(c).toContain(id);
    expect(ids(12)).toEqual(b);
    expect(new Set(taskOrder(suite).slice(0, 12))).toEqual(new Set(b));
    // Listed in suite order, and a count of the whole suite is the whole suite.
    const position = (id: string) => suite.tasks.findIndex((t) => t.id === id);
    expect([...c].sort((x, y) => position(x) - position(y))).toEqual(c);
    expect(ids(suite.tasks.length)).toEqual(suite.tasks.map((t) => t.id));
    expect(ids(999)).toEqual(suite.tasks.map((t) => t.id));
  });
});

describe('--resume', () => {
  const argv = (out: string, ...more: string[]) => [
    '--suite',
    join(suitesDir(), 'ecml2016-adaboost.json'),
    '--tasks',
    '2',
    '--seeds',
    '2',
    '--budget',
    '6',
    '--methods',
    'random,gp,transfer',
    '--prior-experiments',
    '3',
    '--out',
    out,
    ...more,
  ];
  const read = (dir: string): QualityResults => QualityResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  const withoutEnvironment = ({ environment: _, ...rest }: QualityResults) => rest;

  it('continues an interrupted run to the same results.json as an uninterrupted one, and refuses other options', async () => {
    const whole = join(tmp, 'whole');
    const log: string[] = [];
    expect(await qualityCommand(argv(whole), (l) => log.push(l))).toBe(0);
    expect(existsSync(join(whole, PARTIAL_FILE))).toBe(false);
    expect(log.some((l) => /^\[4\/4\] .*elapsed \d+s, ETA \d+s$/.test(l))).toBe(true);

    const cut = join(tmp, 'cut');
    expect(await qualityCommand(argv(cut, '--stop-after', '5'), () => {})).toBe(0);
    expect(existsSync(join(cut, 'results.json'))).toBe(false);
    // An append cut short by the interruption: dropped and done again.
    appendFileSync(join(cut, PARTIAL_FILE), '{"method":"random","curve":{"task":');
    await expect(qualityCommand(argv(cut), () => {})).rejects.toThrow(/unfinished run .* --resume/);
    await expect(qualityCommand([...argv(cut, '--resume'), '--budget', '7'], () => {})).rejects.toThrow(
      /options differ \(budget: 6 in the partial run, 7 now\)/,
    );
    await expect(qualityCommand(argv(cut, '--resume', '--prior-experiments', 'all'), () => {})).rejects.toThrow(/options differ/);
    const resumedLog: string[] = [];
    expect(await qualityCommand(argv(cut, '--resume'), (l) => resumedLog.push(l))).toBe(0);
    expect(resumedLog).toContain(`resuming ${join(cut, PARTIAL_FILE)}: 5 run(s) already done`);
    expect(existsSync(join(cut, PARTIAL_FILE))).toBe(false);

    const [a, b] = [read(whole), read(cut)];
    expect(withoutEnvironment(b)).toEqual(withoutEnvironment(a));
    expect(a.protocol.priorExperiments).toBe(3);
    expect(b.environment!.resumedRuns).toBe(5);
    expect(a.environment!.resumedRuns).toBe(0);
    expect(a.environment!.node).toBe(process.version);
    expect(a.environment!.commit).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
    expect(a.environment!.machine.cpus).toBeGreaterThan(0);
    const md = readFileSync(join(whole, 'summary.md'), 'utf8');
    expect(md).toContain(`Node ${process.version}`);
    expect(md).toContain('3 other task(s), drawn per (target, seed), are the priors');
    expect(md).toContain('| transfer |');
    expect(md).toContain('no baseline');
  }, 60_000);
});

describe('the table and the warnings', () => {
  it('trials-to-target tells "not reached" from "no baseline"', () => {
    const curve = { task: 't', seed: 1, incumbent: [1], regret: [0.5] };
    const r = { trialsToTarget: { gp: null, 'optuna-tpe': 3 }, curves: { gp: [curve], 'optuna-tpe': [curve] } } as unknown as QualityResults;
    expect(trialsToTargetCell(r, 'gp')).toBe('not reached');
    expect(trialsToTargetCell(r, 'optuna-tpe')).toBe('3');
    const noRef = { trialsToTarget: { gp: null }, curves: { gp: [curve] } } as unknown as QualityResults;
    expect(trialsToTargetCell(noRef, 'gp')).toBe('no baseline');
  });

  it('warns about a suite without meta-features and says what optuna-tpe-warm falls back to', () => {
    expect(metaFeatureWarnings(loadSuite('ecml2016-adaboost'), ['transfer', 'optuna-tpe-warm'])).toEqual([]);
    const [w] = metaFeatureWarnings(loadSuite('lcbench'), ['gp', 'transfer', 'optuna-tpe-warm']);
    expect(w).toMatch(/lcbench has no meta-features/);
    expect(w).toMatch(/optuna-tpe-warm falls back to .* suite order/);
  });
});
