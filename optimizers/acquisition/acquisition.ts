// One interface for scoring candidates, so optimisers and batch logic do not care which criterion runs.
import type { AcquisitionName } from '../schema.ts';
import { logExpectedImprovement } from './logei.ts';
import { upperConfidenceBound } from './ucb.ts';

export type AcquisitionFn = {
  name: AcquisitionName;
  /** Larger is better. */
  score(mean: number, variance: number): number;
};

export function makeAcquisition(name: AcquisitionName, incumbent: number, beta: number): AcquisitionFn {
  if (name === 'ucb') return { name, score: (m, v) => upperConfidenceBound(m, v, beta) };
  return { name, score: (m, v) => logExpectedImprovement(m, v, incumbent) };
}
