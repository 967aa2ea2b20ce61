/**
 * Ranking agreement of 50 priors' predictions with a target's results, as the warm initial design
 * computes it at every ask once the target has results: the pairwise definition against the
 * O(n log n) count the optimizer uses (both give the same number; the test suite checks it).
 *   npx tsx bench/ranking-agreement.ts
 */
import { pairwiseAgreement, TargetRanking } from '../optimizers/warmstart/similarity.ts';
import { machine, median } from './support/neo4j.ts';

let state = 1;
const uniform = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
const PRIORS = 50;

console.log(`ms for ${PRIORS} priors (median of the repetitions) — ${machine()}`);
for (const n of [100, 1000, 3000]) {
  const y = Float64Array.from({ length: n }, uniform);
  const preds = Array.from({ length: PRIORS }, () => Float64Array.from({ length: n }, uniform));
  const time = (f: () => number, reps: number) => {
    const ms: number[] = [];
    let check = 0;
    for (let k = 0; k < reps; k++) {
      const t0 = performance.now();
      check = f();
      ms.push(performance.now() - t0);
    }
    return { ms: median(ms), check };
  };
  const sorted = time(() => {
    const ranking = new TargetRanking(y);
    return preds.reduce((a, p) => a + ranking.agreement(p), 0);
  }, 20);
  const pairwise = time(() => preds.reduce((a, p) => a + pairwiseAgreement(p, y), 0), n > 1000 ? 2 : 5);
  if (sorted.check !== pairwise.check) throw new Error(`the two counts differ at n=${n}`);
  console.log(
    `n=${String(n).padStart(5)}: sorted ${sorted.ms.toFixed(2)} ms, pairwise ${pairwise.ms.toFixed(1)} ms (${(pairwise.ms / sorted.ms).toFixed(0)}×)`,
  );
}
