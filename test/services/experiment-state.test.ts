import { describe, expect, it } from 'vitest';
import type { ExperimentHistory } from '../../graph/repositories/history.ts';
import { ExperimentOptimizer, PriorMemos } from '../../optimizers/experiment-optimizer.ts';
import { ExperimentStates } from '../../src/services/experiment-state.ts';

const history = (eventSeq: number) => ({ experiment: { status: 'running' }, eventSeq, metaFeatures: {}, trials: [] }) as unknown as ExperimentHistory;
const noPriors = { projects: [], asked: new Set<string>(), seqs: new Map<string, number>() };

describe("a process's per-experiment state", () => {
  const states = (max: number) => new ExperimentStates(max, () => new ExperimentOptimizer(new PriorMemos(4)));

  it('is one object per experiment within its project, holding the copy, the prior choice, the checks and the optimizer', () => {
    const s = states(4);
    const a = s.of('p', 'a');
    a.copy.read(history(3), noPriors);
    a.choice = { at: 1, settings: '{}', priors: [{ id: 'x', similarity: 0.5 }] };
    a.staleCheckedAt = 7;
    a.linksWhole = true;
    expect(s.of('p', 'a')).toBe(a);
    expect(s.peek('p', 'a')).toBe(a);
    expect(s.of('p', 'a').copy.usable()?.history.eventSeq).toBe(3);
    expect(s.of('p', 'a').optimizer).toBe(a.optimizer);
    // The same experiment id asked through another project does not reach this state.
    expect(s.peek('q', 'a')).toBeUndefined();
    expect(s.of('q', 'a')).not.toBe(a);
  });

  it('drops the least recently asked experiment beyond its bound, all of it at once', () => {
    const s = states(2);
    const a = s.of('p', 'a');
    a.copy.read(history(1), noPriors);
    a.linksWhole = true;
    const b = s.of('p', 'b');
    s.of('p', 'a');
    s.of('p', 'c');
    expect(s.peek('p', 'b'), 'b was asked least recently').toBeUndefined();
    expect(s.peek('p', 'a')).toBe(a);
    const again = s.of('p', 'b');
    expect(again).not.toBe(b);
    expect(again.copy.cached()).toBeUndefined();
    expect(again.choice).toBeNull();
    expect(again.linksWhole).toBe(false);
    expect(again.staleCheckedAt).toBe(0);
  });

  it('peeking creates nothing, and clear() drops every experiment and says whose, the most recently asked first', () => {
    const s = states(3);
    expect(s.peek('p', 'a')).toBeUndefined();
    expect(s.peek('p', 'a')).toBeUndefined();
    const a = s.of('p', 'a');
    a.copy.read(history(2), noPriors);
    s.of('q', 'b');
    s.of('p', 'a');
    expect(s.clear()).toEqual([
      { projectId: 'p', experimentId: 'a' },
      { projectId: 'q', experimentId: 'b' },
    ]);
    expect(s.peek('p', 'a')).toBeUndefined();
    expect(s.of('p', 'a').copy.usable()).toBeUndefined();
  });
});
