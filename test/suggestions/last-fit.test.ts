import { describe, expect, it } from 'vitest';
import type { HistoryTrial } from '../../graph/repositories/history.ts';
import { lastFitBefore, recordedFit } from '../../src/services/history.ts';

const model = (n: number, fittedN?: number, lengthscale = 0.5) => ({
  n,
  ...(fittedN === undefined ? {} : { fittedN }),
  lml: -1,
  lengthscales: [lengthscale, 1],
  signal: 1.5,
  noise: 0.01,
});
const trial = (
  number: number,
  createdSeq: number,
  provenance: Record<string, unknown> | null,
  proposedBy: HistoryTrial['proposedBy'] = 'optimizer',
): HistoryTrial => ({
  id: `t${number}`,
  number,
  config: { x: number },
  configHash: `h${number}`,
  state: 'completed',
  value: 1,
  proposedBy,
  provenance,
  createdSeq,
  finishedSeq: createdSeq + 1,
  invalidatedSeq: null,
  staleSeq: null,
});

describe('lastFitBefore: the target GP fit handed to the next suggestion', () => {
  const trials = [
    trial(0, 1, { strategy: 'gp-bo', model: model(12, 10) }),
    trial(1, 2, { strategy: 'sobol' }),
    trial(2, 3, { strategy: 'gp-bo', model: model(14, 10, -1) }), // unreadable: a negative lengthscale
    trial(3, 4, { strategy: 'gp-bo', model: model(15, 15) }, 'person'),
    trial(4, 6, { strategy: 'gp-bo', model: model(20) }), // recorded before fittedN existed
    trial(6, 7, { strategy: 'gp-bo', model: model(21, 20, 0.25) }),
    trial(5, 7, { strategy: 'gp-bo', model: model(21, 20, 0.75) }), // same batch, lower number
  ];

  it('takes the latest readable model-based suggestion recorded by `seq`, with the n it was fitted on', () => {
    expect(lastFitBefore(trials, 0)).toBeUndefined();
    expect(lastFitBefore(trials, 1)).toEqual({ n: 10, lengthscales: [0.5, 1], signal: 1.5, noise: 0.01 });
    // The unreadable model and the one a person's trial carries give way to the one before.
    expect(lastFitBefore(trials, 5)?.n).toBe(10);
    expect(lastFitBefore(trials, 6)?.n).toBe(20);
    // Within a batch the highest trial number wins, whatever the order of the list.
    expect(lastFitBefore(trials, 7)).toEqual({ n: 20, lengthscales: [0.25, 1], signal: 1.5, noise: 0.01 });
    expect(lastFitBefore([...trials].reverse(), 7)?.lengthscales).toEqual([0.25, 1]);
  });
});

describe('recordedFit: a wide space records lengthscales per parameter only', () => {
  const byParameter = [
    { parameter: 'x', lengthscale: 0.4 },
    { parameter: 'word', lengthscale: 2 },
  ];
  it('hands on the per-parameter figures when no per-column ones were recorded, and only one of the two otherwise', () => {
    expect(recordedFit({ n: 60, fittedN: 60, lengthscalesByParameter: byParameter, signal: 1, noise: 0.1 })).toEqual({
      n: 60,
      lengthscalesByParameter: byParameter,
      signal: 1,
      noise: 0.1,
    });
    expect(recordedFit({ n: 60, lengthscales: [0.4, 2], lengthscalesByParameter: byParameter, signal: 1, noise: 0.1 })).toEqual({
      n: 60,
      lengthscales: [0.4, 2],
      signal: 1,
      noise: 0.1,
    });
    expect(recordedFit({ n: 60, signal: 1, noise: 0.1 })).toBeUndefined();
  });
});
