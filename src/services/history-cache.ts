import type { Trial } from '../../graph/model.ts';
import type { ExperimentHistory } from '../../graph/repositories/history.ts';
import type { RecordedBatch } from '../../graph/repositories/suggestions.ts';
import type { ExperimentEvent } from '../../graph/repositories/trials.ts';
import { cacheEviction, cacheLookup } from '../metrics.ts';

/**
 * Read along with a history: the projects whose experiments may serve as priors (own + shared), and
 * the event sequence numbers of the priors chosen last time (which were asked, and the answer).
 */
export type PriorSeqs = { projects: string[]; asked: Set<string>; seqs: Map<string, number> };

interface Entry {
  history: ExperimentHistory;
  priorSeqs: PriorSeqs;
  /**
   * The copy equals the graph's history at its event number, and every later change seen by this
   * process was applied to it in event order. Only then may an ask skip the read.
   */
  current: boolean;
  /**
   * Writes of this process that arrived ahead of an earlier one (two tells commit in one order and
   * their replies come back in the other), by event number: applied once the gap is filled.
   */
  waiting: Map<number, Change>;
  /**
   * Whether asks try the copy: not after a record from it found the experiment moved on (several
   * writers at once, where the read would be needed anyway), until a record from a read finds it
   * quiet again (nothing between its read and its write).
   */
  hopeful: boolean;
  /**
   * Where each trial is in `history.trials`, built at the first told result after a read: writes
   * applied here keep positions (a batch appends, a result replaces its trial), so a result told on
   * an experiment with thousands of trials no longer searches for its trial.
   */
  positions?: Map<string, number>;
}

/** A write applied to the copy: the history after it, or null when the copy cannot take it. */
type Change = (h: ExperimentHistory) => ExperimentHistory | null;

/** Writes waiting for an earlier one beyond this many: the copy gives up and the next ask reads. */
const MAX_WAITING = 64;

/**
 * The experiment histories this process keeps, brought up to date by reads (readHistorySince) and
 * by the writes this process makes: a recorded batch and a told result are applied to the copy in
 * event order, which gives exactly what a read after the write would return. An ask whose copy is
 * current skips the read and records with a compare-and-set on the event number (recordSuggestions'
 * expectSeq): a change this process did not see (another process, a write not applied here) makes
 * the record write nothing, and the ask reads and computes again. The changes without an event
 * number are covered where the ask meets them (SuggestionService.serveOnce): a queued trial in the
 * copy makes the ask claim and then read; a status other than running in the copy, or one the
 * record statement finds, is a conflict that serve() answers again from a read; a stale trial
 * reported again is left out of the optimizer's input whatever its state (observationsAt), as a
 * read would.
 */
export class HistoryCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max: number) {}

  /** The copy to compute from without a read, if there is a current one. */
  current(key: string): { history: ExperimentHistory; priorSeqs: PriorSeqs } | undefined {
    const e = this.entries.get(key);
    const hit = e && usable(e) && e.hopeful;
    cacheLookup('history', hit ? 1 : 0, hit ? 0 : 1);
    return hit ? { history: e.history, priorSeqs: e.priorSeqs } : undefined;
  }

  /** The event number a record computed from a copy must find, or -1 when the copy went out of date. */
  expectSeq(key: string): number {
    const e = this.entries.get(key);
    return e && usable(e) ? e.history.eventSeq : -1;
  }

  /** Forgets every copy (the graph may have changed under all of them, e.g. a restored dump). */
  clear(): void {
    this.entries.clear();
  }

  cached(key: string): ExperimentHistory | undefined {
    return this.entries.get(key)?.history;
  }

  /** A read (or a read merged into the copy): exact at its event number. */
  read(key: string, history: ExperimentHistory, priorSeqs: PriorSeqs): void {
    const old = this.entries.get(key);
    const e: Entry = { history, priorSeqs, current: true, waiting: old?.waiting ?? new Map(), hopeful: old?.hopeful ?? true };
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value as string);
      cacheEviction('history');
    }
    drain(e);
  }

  /**
   * A batch recorded by this process; the record also brought the priors' current event numbers.
   * `fromCopy`: computed from the copy (the record was a compare-and-set), else from a read.
   */
  recorded(key: string, batch: RecordedBatch, priorSeqs: PriorSeqs, fromCopy: boolean): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.priorSeqs = priorSeqs;
    if (batch.outdated) e.hopeful = false;
    else if (!fromCopy && batch.seqBefore === e.history.eventSeq) e.hopeful = true;
    if (batch.seqAfter !== batch.seqBefore + 1) return;
    const seq = batch.seqAfter;
    apply(e, seq, (h) => {
      for (const [k, t] of batch.trials.entries()) e.positions?.set(t.id, h.trials.length + k);
      return {
        ...h,
        eventSeq: seq,
        experiment: { ...h.experiment, trialCount: batch.trialCount, updatedAt: batch.experimentUpdatedAt },
        trials: [
          ...h.trials,
          ...batch.trials.map((t) => ({
            id: t.id,
            number: t.number,
            config: t.config,
            configHash: t.configHash,
            state: t.state,
            value: t.value,
            proposedBy: t.proposedBy,
            provenance: t.provenance,
            createdSeq: seq,
            finishedSeq: null,
            invalidatedSeq: null,
            staleSeq: null,
          })),
        ],
      };
    });
  }

  /** A result told through this process (completeTrial's event). */
  told(key: string, trial: Trial, event: ExperimentEvent): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (event.seq <= e.history.eventSeq) {
      // A read already covered this event, so its copy of the trial must show the result. If it does
      // not, the read missed it (see readHistories in graph/repositories/history.ts for how that
      // happened): asks read again rather than compute from a history that is wrong at its own number.
      const had = e.history.trials[position(e, e.history, trial.id)];
      if (!had || had.finishedSeq === null || had.finishedSeq > event.seq) e.current = false;
      return;
    }
    apply(e, event.seq, (h) => {
      const i = position(e, h, trial.id);
      // A trial the copy does not have was created by a change it lacks.
      if (i < 0) return null;
      const trials = h.trials.slice();
      trials[i] = { ...trials[i]!, state: trial.state, value: trial.value, finishedSeq: event.seq };
      return { ...h, eventSeq: event.seq, experiment: { ...h.experiment, updatedAt: event.experimentUpdatedAt }, trials };
    });
  }

  /** A change this process made but did not apply: the next ask reads. */
  touch(key: string): void {
    const e = this.entries.get(key);
    if (e) e.current = false;
  }
}

/** Index of the trial in `h.trials` (−1 when absent), from the entry's positions when they hold. */
function position(e: Entry, h: ExperimentHistory, id: string): number {
  const known = e.positions?.get(id);
  if (known !== undefined && h.trials[known]?.id === id) return known;
  // Built again from the trials: the copy came from a read, or positions are missing for it.
  e.positions = new Map(h.trials.map((t, i) => [t.id, i]));
  return e.positions.get(id) ?? -1;
}

function usable(e: Entry): boolean {
  return e.current && e.waiting.size === 0;
}

/** Applies the change with event number `seq` in order; one the copy already has is skipped. */
function apply(e: Entry, seq: number, change: Change): void {
  if (seq <= e.history.eventSeq) return;
  e.waiting.set(seq, change);
  drain(e);
  if (e.waiting.size > MAX_WAITING) {
    e.waiting.clear();
    e.current = false;
  }
}

function drain(e: Entry): void {
  for (const seq of [...e.waiting.keys()]) if (seq <= e.history.eventSeq) e.waiting.delete(seq);
  for (let next = e.waiting.get(e.history.eventSeq + 1); next; next = e.waiting.get(e.history.eventSeq + 1)) {
    const seq = e.history.eventSeq + 1;
    e.waiting.delete(seq);
    const h = next(e.history);
    if (h === null) {
      e.current = false;
      e.waiting.clear();
      return;
    }
    e.history = h;
  }
}
