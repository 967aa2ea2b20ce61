// `npm run bench -- quality --via-service` on the smallest useful run: one task, budget 4, our transfer
// method through the HTTP API and a throw-away Neo4j. Checks the product path keeps working end to end,
// and that its warm design starts where the in-process one does (both take the same priors).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qualityCommand } from '../../bench/quality/command.ts';
import { QualityResultsSchema } from '../../bench/quality/schema.ts';
import { suitesDir } from '../helpers/suites.ts';

const dir = mkdtempSync(join(os.tmpdir(), 'precedent-quality-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench quality --via-service (smoke)', () => {
  it('runs transfer through the service and records it as such', async () => {
    const common = ['--suite', join(suitesDir(), 'ecml2016-adaboost.json'), '--tasks', '1', '--budget', '4', '--seeds', '1', '--methods', 'transfer'];
    expect(await qualityCommand([...common, '--via-service', '--out', join(dir, 'svc')], () => {})).toBe(0);
    expect(await qualityCommand([...common, '--out', join(dir, 'inp')], () => {})).toBe(0);
    const svc = QualityResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'svc', 'results.json'), 'utf8')));
    const inp = QualityResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'inp', 'results.json'), 'utf8')));
    expect(svc.protocol.viaService).toBe(true);
    expect(inp.protocol.viaService).toBe(false);
    const curve = svc.curves.transfer![0]!;
    expect(curve.regret).toHaveLength(4);
    curve.regret.forEach((v, t) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      if (t > 0) expect(v).toBeLessThanOrEqual(curve.regret[t - 1]!);
    });
    // The first suggestion is the head of the same warm design from the same priors and seed.
    expect(curve.regret[0]).toBe(inp.curves.transfer![0]!.regret[0]);
  }, 180_000);
});
