import type { Trial } from '../../graph/model.ts';
import type { ExperimentHistory } from '../../graph/repositories/history.ts';
import type { RecordedBatch } from '../../graph/repositories/suggestions.ts';
import type { ExperimentEvent } from '../../graph/repositories/trials.ts';
import { cacheLookup } from '../metrics.ts';

/**
 * Read along with a history: the projects whose experiments may serve as priors (own + shared), and
 * the event sequence numbers of the priors chosen last time (which were asked, and the answer).
 */
export type PriorSeqs = { projects: string[]; asked: Set<string>; seqs: Map<string, number> };

/** A write applied to the copy: the history after it, or null when the copy cannot take it. */
type Change = (h: ExperimentHistory) => ExperimentHistory | null;

/** Writes waiting for an earlier one beyond this many: the copy gives up and the next ask reads. */
const MAX_WAITING = 64;

/**
 * One experiment's history as this process keeps it, brought up to date by reads (readHistorySince)
 * and by the writes this process makes: a recorded batch and a told result are applied to the copy
 * in event order, which gives exactly what a read after the write would return. An ask whose copy is
 * current skips the read and records with a compare-and-set on the event number (recordSuggestions'
 * expectSeq): a change this process did not see (another process, a write not applied here) makes
 * the record write nothing, and the ask reads and computes again. The changes without an event
 * number are covered where the ask meets them (SuggestionService.serveOnce): a queued trial in the
 * copy makes the ask claim and then read; a status other than running in the copy, or one the
 * record statement finds, is a conflict that serve() answers again from a read; a stale trial
 * reported again is left out of the optimizer's input whatever its state (observationsAt), as a
 * read would. Held by the experiment's ExperimentState.
 */
export class HistoryCopy {
  /** The copy, once read. */
  private history: ExperimentHistory | null = null;
  private priorSeqs: PriorSeqs = { projects: [], asked: new Set(), seqs: new Map() };
  /**
   * The copy equals the graph's history at its event number, and every later change seen by this
   * process was applied to it in event order. Only then may an ask skip the read.
   */
  private current = false;
  /**
   * Writes of this process that arrived ahead of an earlier one (two tells commit in one order and
   * their replies come back in the other), by event number: applied once the gap is filled.
   */
  private readonly waiting = new Map<number, Change>();
  /**
   * Whether asks try the copy: not after a record from it found the experiment moved on (several
   * writers at once, where the read would be needed anyway), until a record from a read finds it
   * quiet again (nothing between its read and its write).
   */
  private hopeful = true;
  /**
   * Where each trial is in `history.trials`, built at the first told result after a read: writes
   * applied here keep positions (a batch appends, a result replaces its trial), so a result told on
   * an experiment with thousands of trials no longer searches for its trial.
   */
  private positions?: Map<string, number>;

  /** The copy to compute from without a read, if it is current. */
  usable(): { history: ExperimentHistory; priorSeqs: PriorSeqs } | undefined {
    const hit = this.history !== null && this.exact() && this.hopeful;
    cacheLookup('history', hit ? 1 : 0, hit ? 0 : 1);
    return hit ? { history: this.history!, priorSeqs: this.priorSeqs } : undefined;
  }

  /** The event number a record computed from the copy must find, or -1 when the copy went out of date. */
  expectSeq(): number {
    return this.history && this.exact() ? this.history.eventSeq : -1;
  }

  /** The copy whether current or not: a read brings it up to date from its event number. */
  cached(): ExperimentHistory | undefined {
    return this.history ?? undefined;
  }

  /** A read (or a read merged into the copy): exact at its event number. */
  read(history: ExperimentHistory, priorSeqs: PriorSeqs): void {
    this.history = history;
    this.priorSeqs = priorSeqs;
    this.current = true;
    this.drain();
  }

  /**
   * The priors' event numbers as an optimizer call without a record read them (a priming, see
   * SuggestionService.primeAfterOutage): the next ask from the copy need not read them again, as
   * after a record, which brings them too.
   */
  priorsRead(priorSeqs: PriorSeqs): void {
    this.priorSeqs = priorSeqs;
  }

  /**
   * A batch recorded by this process; the record also brought the priors' current event numbers.
   * `fromCopy`: computed from the copy (the record was a compare-and-set), else from a read.
   */
  recorded(batch: RecordedBatch, priorSeqs: PriorSeqs, fromCopy: boolean): void {
    if (!this.history) return;
    this.priorSeqs = priorSeqs;
    if (batch.outdated) this.hopeful = false;
    else if (!fromCopy && batch.seqBefore === this.history.eventSeq) this.hopeful = true;
    if (batch.seqAfter !== batch.seqBefore + 1) return;
    const seq = batch.seqAfter;
    this.apply(seq, (h) => {
      for (const [k, t] of batch.trials.entries()) this.positions?.set(t.id, h.trials.length + k);
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
  told(trial: Trial, event: ExperimentEvent): void {
    const history = this.history;
    if (!history) return;
    if (event.seq <= history.eventSeq) {
      // A read already covered this event, so its copy of the trial must show the result. If it does
      // not, the read missed it (see readHistories in graph/repositories/history.ts for how that
      // happened): asks read again rather than compute from a history that is wrong at its own number.
      const had = history.trials[this.position(history, trial.id)];
      if (!had || had.finishedSeq === null || had.finishedSeq > event.seq) this.current = false;
      return;
    }
    this.apply(event.seq, (h) => {
      const i = this.position(h, trial.id);
      // A trial the copy does not have was created by a change it lacks.
      if (i < 0) return null;
      const trials = h.trials.slice();
      trials[i] = { ...trials[i]!, state: trial.state, value: trial.value, finishedSeq: event.seq };
      return { ...h, eventSeq: event.seq, experiment: { ...h.experiment, updatedAt: event.experimentUpdatedAt }, trials };
    });
  }

  /** A change this process made but did not apply: the next ask reads. */
  touch(): void {
    this.current = false;
  }

  private exact(): boolean {
    return this.current && this.waiting.size === 0;
  }

  /** Index of the trial in `h.trials` (−1 when absent), from the positions when they hold. */
  private position(h: ExperimentHistory, id: string): number {
    const known = this.positions?.get(id);
    if (known !== undefined && h.trials[known]?.id === id) return known;
    // Built again from the trials: the copy came from a read, or positions are missing for it.
    this.positions = new Map(h.trials.map((t, i) => [t.id, i]));
    return this.positions.get(id) ?? -1;
  }

  /** Applies the change with event number `seq` in order; one the copy already has is skipped. */
  private apply(seq: number, change: Change): void {
    if (seq <= this.history!.eventSeq) return;
    this.waiting.set(seq, change);
    this.drain();
    if (this.waiting.size > MAX_WAITING) {
      this.waiting.clear();
      this.current = false;
    }
  }

  private drain(): void {
    let h = this.history!;
    for (const seq of [...this.waiting.keys()]) if (seq <= h.eventSeq) this.waiting.delete(seq);
    for (let next = this.waiting.get(h.eventSeq + 1); next; next = this.waiting.get(h.eventSeq + 1)) {
      this.waiting.delete(h.eventSeq + 1);
      const changed = next(h);
      if (changed === null) {
        this.current = false;
        this.waiting.clear();
        return;
      }
      h = this.history = changed;
    }
  }
}
