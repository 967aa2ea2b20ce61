import { describe, expect, it } from 'vitest';
import type { HistoryTrial } from '../../graph/repositories/history.ts';
import { observationsAt } from '../../src/services/history.ts';

const trial = (number: number, over: Partial<HistoryTrial> = {}): HistoryTrial => ({
  id: `t${number}`,
  number,
  config: { x: number / 10 },
  configHash: `h${number}`,
  state: 'running',
  value: null,
  proposedBy: 'optimizer',
  provenance: null,
  createdSeq: number,
  finishedSeq: null,
  invalidatedSeq: null,
  staleSeq: null,
  ...over,
});

describe('observations of a history', () => {
  it('are the same objects for trials that did not change, and new ones for trials that did', () => {
    const trials = [trial(0, { state: 'completed', value: 0.5, finishedSeq: 3 }), trial(1), trial(2, { state: 'failed', finishedSeq: 4 })];
    const first = observationsAt(trials, 10);
    expect(first.map((o) => [o.id, o.state, o.value])).toEqual([
      ['t0', 'completed', 0.5],
      ['t1', 'pending', null],
      ['t2', 'failed', null],
    ]);
    // The next history: trial 1 completed (a new object, as the service's copy makes it), trial 3 added.
    const next = [trials[0]!, { ...trials[1]!, state: 'completed' as const, value: 0.7, finishedSeq: 11 }, trials[2]!, trial(3, { createdSeq: 11 })];
    const second = observationsAt(next, 11);
    expect(second[0]).toBe(first[0]);
    expect(second[2]).toBe(first[2]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]).toEqual({ id: 't1', config: trials[1]!.config, value: 0.7, state: 'completed' });
    expect(second[1]!.config).toBe(trials[1]!.config);
    // Earlier in the event sequence the same trial objects show what they were then.
    expect(observationsAt(next, 3).map((o) => [o.id, o.state])).toEqual([
      ['t0', 'completed'],
      ['t1', 'pending'],
      ['t2', 'pending'],
    ]);
    expect(observationsAt(next, 11)[0]).toBe(first[0]);
  });

  it('come in trial-number order whatever the order of the trials', () => {
    const trials = [trial(2), trial(0), trial(1)];
    expect(observationsAt(trials, 10).map((o) => o.id)).toEqual(['t0', 't1', 't2']);
    expect(trials.map((t) => t.id)).toEqual(['t2', 't0', 't1']);
  });
});
