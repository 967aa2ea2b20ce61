// `npm run bench -- quality --methods optuna-precedent` on the smallest useful run: one task, budget 4,
// Optuna's study loop driving the Python client's PrecedentSampler against the benchmark's service, beside
// `transfer --via-service` in the same run. Skipped only where no python3 can import optuna and apt cannot install it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qualityCommand } from '../../bench/quality/command.ts';
import { findOptunaPython } from '../../bench/quality/optuna.ts';
import { ensureOptunaPython } from '../support/python.ts';
import { QualityResultsSchema } from '../../bench/quality/schema.ts';
import { suitesDir } from '../helpers/suites.ts';

const dir = mkdtempSync(join(os.tmpdir(), 'precedent-quality-optuna-precedent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Installs Debian's python3-optuna when it is missing and we may; the bench then finds it as it would.
ensureOptunaPython();
const python = findOptunaPython();
if (!python) process.stderr.write('skipping the optuna-precedent smoke test: no python3 can import optuna (apt-get install python3-optuna)\n');

describe('bench quality --methods optuna-precedent (smoke)', () => {
  it.skipIf(!python)(
    'runs PrecedentSampler in Optuna through the service, starting where transfer through the service starts',
    async () => {
      const log: string[] = [];
      const argv = ['--suite', join(suitesDir(), 'ecml2016-adaboost.json'), '--tasks', '1', '--budget', '4', '--seeds', '1'];
      expect(await qualityCommand([...argv, '--methods', 'transfer,optuna-precedent', '--via-service', '--out', dir], (l) => log.push(l))).toBe(0);
      const r = QualityResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
      expect(r.methods).toEqual(['transfer', 'optuna-precedent']);
      const curve = r.curves['optuna-precedent']![0]!;
      expect(curve.regret).toHaveLength(4);
      curve.regret.forEach((v, t) => {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        if (t > 0) expect(v).toBeLessThanOrEqual(curve.regret[t - 1]!);
      });
      // Trial 0 is precedent's (search_space= declared): the head of the same warm design from the same priors.
      expect(curve.regret[0]).toBe(r.curves.transfer![0]!.regret[0]);
      // Every trial was proposed by precedent (a fallback to the independent sampler would have failed the run).
      const tally = log.find((l) => l.startsWith('optuna-precedent: trials by precedent strategy: '));
      const counts = [...(tally ?? '').matchAll(/([\w-]+) (\d+)/g)].map((m) => [m[1], Number(m[2])] as const);
      expect(counts.map(([s]) => s)).not.toContain('null');
      expect(counts.reduce((n, [, c]) => n + c, 0)).toBe(4);
    },
    240_000,
  );
});
