import type { Graph } from '../../graph/driver.ts';
import { z } from 'zod';
import { ConflictError } from '../../graph/errors.ts';
import type { Trial } from '../../graph/model.ts';
import type { ExperimentEvent } from '../../graph/repositories/trials.ts';
import { claimQueued, markStale, notRunning, recordSuggestions, type PriorUse, type SuggestionWrite } from '../../graph/repositories/suggestions.ts';
import { mergeHistory, readHistorySince, type ExperimentHistory } from '../../graph/repositories/history.ts';
import { deriveSeed } from '../../optimizers/random.ts';
import { SettingsSchema, type SearchSpace } from '../../optimizers/schema.ts';
import { mayFitModel } from '../../optimizers/suggest.ts';
import { ExperimentOptimizer, PriorMemos } from '../../optimizers/experiment-optimizer.ts';
import { defaultOptimizerThreads } from '../config.ts';
import { OptimizerPool } from '../workers/optimizer-pool.ts';
import { CoalescingQueue } from './coalescing-queue.ts';
import { LinkWriter } from './link-writer.ts';
import { MetaFeatureRanges } from '../similarity/meta-feature-ranges.ts';
import { PriorLibrary } from './prior-library.ts';
import { DeadlineExceededError } from './deadline.ts';
import { visibleProjects } from './visible-projects.ts';
import { prepareConfig } from './configs.ts';
import { buildRequest, candidatesOf, MenuExhaustedError, type Snapshot } from './history.ts';
import type { PriorSeqs } from './history-copy.ts';
import { experimentKey, ExperimentStates, type ExperimentState } from './experiment-state.ts';
import { RebuildAfterOutage } from './rebuild-after-outage.ts';

export interface SuggestionServiceOptions {
  /** Running trials older than this become stale (no longer pending). 0 disables. */
  staleAfterSeconds: number;
  /** How long an experiment's choice of priors (a similarity search) is reused. */
  priorChoiceTtlMs: number;
  /** Experiments whose prior choice and histories are kept in memory. */
  maxCachedExperiments: number;
  /** Fitted prior models kept in memory (one per prior experiment and search-space projection). */
  maxCachedPriorModels: number;
  /** An ask not recorded this long after it arrived is answered 503 and its batch is not recorded for it. */
  requestDeadlineMs: number;
  /** Worker threads for the optimizer's model fits (see OptimizerPool); 0: on the event loop. */
  optimizerThreads: number;
}

const DEFAULTS: SuggestionServiceOptions = {
  staleAfterSeconds: 3600,
  priorChoiceTtlMs: 30_000,
  maxCachedExperiments: 200,
  maxCachedPriorModels: 2000,
  requestDeadlineMs: 30_000,
  optimizerThreads: defaultOptimizerThreads(),
};

/** What a caller of suggest() says about its request besides the count. */
export interface AskOptions {
  /** The request's Idempotency-Key: kept on the trials it gets, so a retry after a crash finds them. */
  requestKey?: string | null;
  /** True once nobody waits for the answer any more (the client closed the connection). */
  gone?: () => boolean;
}

export interface SuggestResult {
  trials: Trial[];
  /** Milliseconds per phase, for the Server-Timing header. */
  timing: [string, number][];
  /** How many requests shared the optimizer call. */
  batched: number;
}

/**
 * What serve() hands back: the trials and, for each, the index of the waiter it goes to. `after`
 * settles once the batch's SUGGESTED_FROM edges are written. `raced`: another writer changed the
 * experiment between the read and the record, so configurations may have been dropped as taken by it.
 */
type Served = Omit<SuggestResult, 'batched'> & { owners: number[]; after?: Promise<void>; raced?: boolean };

interface Waiter {
  projectId: string;
  experimentId: string;
  count: number;
  attempts: number;
  requestKey: string | null;
  /** When its answer is due (ms since the epoch); see requestDeadlineMs. */
  deadline: number;
  gone: () => boolean;
  resolve: (r: SuggestResult) => void;
  reject: (err: unknown) => void;
}

/** One configuration asked for: the waiter it goes to, and that waiter's request key. */
type Slot = { waiter: number; requestKey: string | null };

/** A record found the experiment changed in a way its batch depends on (see serve()). */
class OutdatedCopy extends Error {}

/** Largest combined batch; larger waiting sums are served over several batches. */
const MAX_BATCH = 64;
const MAX_ATTEMPTS = 3;

/** Trials the experiment's budget still allows (infinitely many without a budget). */
function trialsLeft(e: ExperimentHistory['experiment']): number {
  return e.budget.maxTrials === undefined ? Number.POSITIVE_INFINITY : e.budget.maxTrials - e.trialCount;
}

/** Experiments primed after an outage (see primeAfterOutage): a warm-up of a second or so. */
const PRIMED = 8;

/**
 * Waiting asks, from the front, up to MAX_BATCH configurations (always at least one ask). A
 * priming (an ask of 0 configurations, see primeAfterOutage) goes alone.
 */
function takeBatch(waiting: readonly Waiter[]): number {
  if (waiting[0]!.count === 0) return 1;
  let n = 0;
  let total = 0;
  while (n < waiting.length && waiting[n]!.count > 0 && (n === 0 || total + waiting[n]!.count <= MAX_BATCH)) total += waiting[n++]!.count;
  return n;
}

/** Wall-clock phases of one request; repeated phases add up. */
class Timing {
  readonly entries: [string, number][] = [];
  private last = performance.now();
  mark(phase: string): void {
    const now = performance.now();
    const hit = this.entries.find((e) => e[0] === phase);
    if (hit) hit[1] += now - this.last;
    else this.entries.push([phase, now - this.last]);
    this.last = now;
  }
}

/**
 * Asks the optimizer for new configurations and records them. Requests for one experiment run
 * one at a time (suggestions depend on what is pending, and two concurrent computations from the
 * same history would propose the same configuration); different experiments run concurrently.
 * The computation happens outside any transaction; recording the batch is one transaction.
 */
export class SuggestionService {
  private readonly opts: SuggestionServiceOptions;
  /** Asks per experiment: one batch at a time, and all that waited meanwhile in the next (see serveBatch). */
  private readonly asks = new CoalescingQueue<Waiter>({ take: takeBatch, serve: (_key, batch, handBack) => this.serveBatch(batch, handBack) });
  /**
   * What this process keeps per experiment: its history copy, prior choice, stale check, edge
   * repair, and its optimizer on the event loop (initial designs and other light calls).
   */
  private readonly experiments: ExperimentStates;
  /** Model fits, off the event loop (null: on it, see optimizerThreads); each thread keeps its experiments' optimizers. */
  private readonly pool: OptimizerPool | null;
  /** Prior histories, shared by the experiments that learn from them, and the similarity search choosing them. */
  private readonly priors: PriorLibrary;
  /** The edges written after a batch commits. */
  private readonly links: LinkWriter;
  /** The experiments whose states the last outage dropped (see primeAfterOutage). */
  private readonly toPrime = new RebuildAfterOutage<{ projectId: string; experimentId: string }>(PRIMED, (e) => experimentKey(e.projectId, e.experimentId));
  /** Stops hearing of lost connections (at close: the graph may outlive the service). */
  private readonly unlisten: () => void;

  /** `ranges`: the process's meta-feature ranges, shared with the similarity routes (one read per change of the datasets). */
  constructor(
    private readonly graph: Graph,
    opts: Partial<SuggestionServiceOptions> = {},
    ranges = new MetaFeatureRanges(graph),
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    const memoLimits = { maxExperiments: this.opts.maxCachedExperiments, maxPriorModels: this.opts.maxCachedPriorModels };
    const priorMemos = new PriorMemos(memoLimits.maxPriorModels);
    this.experiments = new ExperimentStates(this.opts.maxCachedExperiments, () => new ExperimentOptimizer(priorMemos));
    this.priors = new PriorLibrary(graph, ranges, { maxHistories: this.opts.maxCachedExperiments * 20, choiceTtlMs: this.opts.priorChoiceTtlMs });
    this.links = new LinkWriter(graph);
    this.pool = this.opts.optimizerThreads > 0 ? new OptimizerPool(this.opts.optimizerThreads, memoLimits) : null;
    // While Neo4j was out of reach it may have been replaced (a restored dump reaches the same event
    // numbers with other trials): nothing copied from it before is trusted afterwards.
    this.unlisten = graph.availability.onLost(() => this.forgetCopies());
  }

  /** Drops what was copied from the graph; prior-model fits stay (keyed by their data, a hit equals a refit). */
  private forgetCopies(): void {
    this.toPrime.dropped(this.experiments.clear());
    this.priors.forget();
    this.pool?.forgetExperiments();
  }

  /** Ends the optimizer's worker threads (an ask still computing there fails). */
  async close(): Promise<void> {
    this.unlisten();
    await this.pool?.close();
  }

  /**
   * Builds again, from the graph as it is now, what the last outage dropped of the experiments this
   * process served most recently (up to PRIMED): the history copy, the prior choice, the checks and
   * the optimizer's state, as each experiment's next ask would (a priming is an ask of 0
   * configurations, queued with the experiment's asks), recording no trial (the upkeep of a first
   * ask runs: deferred edges, stale marks). Their first asks after
   * a restart of Neo4j then cost what the ones before it did (bench/first-ask.ts). Readiness runs it
   * as a step of its warm-up. An experiment that cannot be primed (finished, budget used up, gone)
   * is skipped; an outage ends the priming and fails the warm-up.
   */
  primeAfterOutage(): Promise<void> {
    return this.toPrime.rebuild(({ projectId, experimentId }) => this.suggest(projectId, experimentId, 0));
  }

  /** A result told through this process: applied to the experiment's history copy, if it has one (see HistoryCopy). */
  told(projectId: string, trial: Trial, event: ExperimentEvent): void {
    this.experiments.peek(projectId, trial.experimentId)?.copy.told(trial, event);
  }

  /**
   * Requests for one experiment are served one batch at a time. Everything that arrived while a
   * batch was being computed is served together by the next one: one history read, one optimizer
   * call for the combined count (pending-aware batch suggestions), one write. Each caller gets its
   * own slice of the batch; callers left empty-handed (duplicates dropped, budget reached mid-batch)
   * are handed back to go first in the next batch, up to MAX_ATTEMPTS.
   */
  private async serveBatch(batch: Waiter[], handBack: (again: Waiter[]) => void): Promise<void> {
    // A waiter whose client left or whose deadline passed gets nothing computed or recorded for it.
    const live = batch.filter((w) => !this.expired(w));
    if (live.length === 0) return;
    const { projectId, experimentId } = live[0]!;
    if (live[0]!.count === 0) {
      await this.prime(live[0]!);
      return;
    }
    let result: Served;
    try {
      result = await this.serve(projectId, experimentId, live);
    } catch (err) {
      for (const w of live) w.reject(err);
      return;
    }
    if (process.env.PRECEDENT_DEBUG_BATCHES) console.error(`[batch] ${experimentId} waiters ${live.length} got ${result.trials.length}`);
    const again: Waiter[] = [];
    // The batch's SUGGESTED_FROM edges are written after its transaction committed; callers get
    // their trials once the edges exist, while the next batch of this experiment already starts.
    const after = result.after;
    live.forEach((w, i) => {
      const mine = result.trials.filter((_, k) => result.owners[k] === i);
      const served = { trials: mine, timing: result.timing, batched: live.length };
      if (mine.length > 0) {
        if (after) after.then(() => w.resolve(served), w.reject);
        else w.resolve(served);
      } else if (this.expired(w)) {
        // Rejected by expired().
      } else if (result.raced) {
        // Its configurations went to another process meanwhile (replicas computing from the same
        // history propose the same point): not a sign the space is used up, so it does not count
        // as an attempt; the deadline bounds how long this can go on.
        again.push(w);
      } else if (w.attempts < MAX_ATTEMPTS) again.push({ ...w, attempts: w.attempts + 1 });
      else w.reject(new ConflictError('every configuration left is already pending; complete some trials and ask again', {}));
    });
    handBack(again);
  }

  suggest(projectId: string, experimentId: string, count: number, ask: AskOptions = {}): Promise<SuggestResult> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + this.opts.requestDeadlineMs;
      const waiter: Waiter = {
        projectId,
        experimentId,
        count,
        resolve,
        reject,
        attempts: 0,
        requestKey: ask.requestKey ?? null,
        deadline,
        gone: ask.gone ?? (() => false),
      };
      this.asks.push(experimentKey(projectId, experimentId), waiter);
    });
  }

  /** True (and the waiter answered 503) when its client left or its deadline passed. */
  private expired(w: Waiter): boolean {
    if (!w.gone() && Date.now() <= w.deadline) return false;
    w.reject(new DeadlineExceededError(this.opts.requestDeadlineMs));
    return true;
  }

  /**
   * An ask is served again from a read when its record found the experiment changed in a way the
   * batch depended on (and wrote nothing): a cached copy that another process moved past, or a
   * budget changed since the read. An ask computed from a copy without reading (see HistoryCopy)
   * is also served again when the copy made it a conflict (budget used up, menu exhausted): a change
   * the copy does not have, say a trial a person added or a raised budget, may have lifted it.
   */
  private async serve(projectId: string, experimentId: string, waiters: Waiter[]): Promise<Served> {
    const slots: Slot[] = waiters.flatMap((w, i) => Array.from({ length: w.count }, () => ({ waiter: i, requestKey: w.requestKey })));
    // Checked again just before the record: work whose clients are gone is not written.
    const wanted = (slot: Slot) => !this.expired(waiters[slot.waiter]!);
    const used = { copy: false };
    try {
      return await this.serveOnce(projectId, experimentId, slots, wanted, used);
    } catch (err) {
      // MenuExhaustedError is a ConflictError too.
      if (!(err instanceof OutdatedCopy || (used.copy && err instanceof ConflictError))) throw err;
      return this.serveOnce(projectId, experimentId, slots, wanted, null);
    }
  }

  /**
   * One batch, as a numbered procedure (steps 1-5 here, 6-11 in compute()):
   *  1. write the deferred edges an earlier process left unwritten (first ask per experiment);
   *  2. mark trials stale that ran past the timeout (at most every tenth of it);
   *  3. take the history: the current copy, or a read;
   *  4. hand out queued trials first (configurations people added), then read again;
   *  5. check the status and what is left of the budget;
   *  6. choose the priors and load their histories;
   *  7. build the request and its snapshot (event number, seed, priors, settings);
   *  8. optimize, in a worker thread when the call fits a model;
   *  9. keep the suggestions whose clients still wait;
   * 10. record them in one transaction that checks the event number (when computed from the copy),
   *     the budget, and the configurations taken since the read;
   * 11. apply the record to the copy, and write the deferred edges after the commit.
   * `used`: may compute from a current cached copy, and says whether it did; null: reads.
   */
  private async serveOnce(
    projectId: string,
    experimentId: string,
    slots: Slot[],
    wanted: (slot: Slot) => boolean,
    used: { copy: boolean } | null,
  ): Promise<Served> {
    const count = slots.length;
    const timing = new Timing();
    const state = this.experiments.of(projectId, experimentId);
    // 1., 2.
    await this.upkeep(state, timing);
    // 3.
    let { history: target, priorSeqs, copy } = await this.history(projectId, experimentId, state, used !== null);
    if (used) used.copy = copy;
    timing.mark('history');
    // 4.
    let claimed: Trial[] = [];
    const owners = (from: Slot[]) => from.map((s) => s.waiter);
    if (target.trials.some((t) => t.state === 'queued')) {
      claimed = await claimQueued(
        this.graph,
        projectId,
        experimentId,
        slots.map((s) => s.requestKey),
      );
      timing.mark('claim');
      if (claimed.length >= count) return { trials: claimed, owners: owners(slots), timing: timing.entries };
      ({ history: target, priorSeqs, copy } = await this.history(projectId, experimentId, state, false));
      timing.mark('history');
    }
    // 5.
    if (target.experiment.status !== 'running') throw notRunning(target.experiment.status);
    const left = trialsLeft(target.experiment);
    if (left <= 0) {
      if (claimed.length) return { trials: claimed, owners: owners(slots), timing: timing.entries };
      const maxTrials = target.experiment.budget.maxTrials;
      throw new ConflictError(`the experiment's budget of ${maxTrials} trials is used up; raise budget.maxTrials or finish it`, { maxTrials });
    }
    const needed = Math.min(count - claimed.length, left);
    // Queued trials already claimed are handed out even when the candidate menu has nothing left.
    const after: Promise<void>[] = [];
    const open = slots.slice(claimed.length, claimed.length + needed);
    const fresh = await this.compute(projectId, state, target, open, wanted, timing, after, priorSeqs, copy).catch((err: unknown) => {
      if (claimed.length && err instanceof MenuExhaustedError) return { trials: [] as Trial[], owners: [] as number[], raced: false };
      throw err;
    });
    return {
      trials: [...claimed, ...fresh.trials],
      owners: [...owners(slots.slice(0, claimed.length)), ...fresh.owners],
      raced: fresh.raced === true,
      timing: timing.entries,
      ...(after.length ? { after: Promise.all(after).then(() => undefined) } : {}),
    };
  }

  /** Steps 1 and 2 of an ask (see serveOnce): the deferred edges, the stale check. */
  private async upkeep(state: ExperimentState, timing: Timing): Promise<void> {
    const { projectId, experimentId } = state;
    // Staleness moves slowly; checking it at most every tenth of the timeout keeps a write off the hot path.
    const staleEvery = (this.opts.staleAfterSeconds * 1000) / 10;
    if (!state.linksWhole) {
      state.linksWhole = await this.links.repair(projectId, experimentId);
      timing.mark('repair');
    }
    if (this.opts.staleAfterSeconds > 0 && Date.now() - state.staleCheckedAt >= staleEvery) {
      if ((await markStale(this.graph, projectId, experimentId, this.opts.staleAfterSeconds)) > 0) state.copy.touch();
      state.staleCheckedAt = Date.now();
      timing.mark('stale');
    }
  }

  /**
   * A priming (see primeAfterOutage): the steps of an ask up to the optimizer (1-3 and 5-8, for one
   * configuration), without handing out queued trials or recording anything.
   */
  private async prime(w: Waiter): Promise<void> {
    const timing = new Timing();
    const state = this.experiments.of(w.projectId, w.experimentId);
    await this.upkeep(state, timing);
    const { history: target, priorSeqs } = await this.history(w.projectId, w.experimentId, state, false);
    const e = target.experiment;
    if (e.status === 'running' && trialsLeft(e) > 0) {
      const { chosen, snapshot } = await this.optimize(w.projectId, state, target, 1, priorSeqs, timing);
      const seqs = new Map(snapshot.priors.map((p) => [p.experimentId, p.seq]));
      state.copy.priorsRead({ projects: priorSeqs.projects, asked: new Set(chosen.map((c) => c.id)), seqs });
    }
    w.resolve({ trials: [], timing: timing.entries, batched: 1 });
  }

  /** Steps 6-8 of an ask (see serveOnce): the priors, the request and its snapshot, the optimizer's suggestions. */
  private async optimize(projectId: string, state: ExperimentState, target: ExperimentHistory, count: number, priorSeqs: PriorSeqs, timing: Timing) {
    const e = target.experiment;
    // 6.
    const chosen = await this.priors.choose(projectId, target, state);
    timing.mark('choose-priors');
    const priors = await this.priors.load(
      projectId,
      chosen.map((c) => c.id),
      priorSeqs,
    );
    timing.mark('load-priors');
    // 7.
    const snapshot: Omit<Snapshot, 'batchIndex' | 'batchSize'> = {
      seq: target.eventSeq,
      seed: deriveSeed(e.seed, target.eventSeq),
      priors: chosen.filter((c) => priors.has(c.id)).map((c) => ({ experimentId: c.id, seq: priors.get(c.id)?.eventSeq ?? 0, similarity: c.similarity })),
      // Stored settings were validated when they were written; a key this version does not know is ignored.
      settings: z.object(SettingsSchema.shape).parse(e.optimizer),
      warmStartMode: e.warmStart.mode,
    };
    const candidates = await candidatesOf(this.graph, projectId, e);
    const request = buildRequest(target, priors, { ...snapshot, batchIndex: 0, batchSize: count }, count, candidates);
    // 8. Model fits go to a worker thread (the request is copied there, a few milliseconds beside the
    // fit); designs stay here, where the memos keep the history copy's objects and cost nothing.
    const offThread = this.pool !== null && mayFitModel(request);
    const suggestions = offThread ? await this.pool!.suggest(experimentKey(projectId, e.id), request) : state.optimizer.suggest(request);
    timing.mark('optimize');
    return { chosen, snapshot, suggestions };
  }

  /**
   * `after` receives the write of the batch's SUGGESTED_FROM edges (see recordSuggestions).
   * `priorSeqs`: what was read along with the history (see PriorSeqs). `copy`: the history is the
   * cached copy, not read for this ask, so the record is a compare-and-set on its event number.
   */
  private async compute(
    projectId: string,
    state: ExperimentState,
    target: ExperimentHistory,
    slots: Slot[],
    wanted: (slot: Slot) => boolean,
    timing: Timing,
    after: Promise<void>[],
    priorSeqs: PriorSeqs,
    copy: boolean,
  ): Promise<{ trials: Trial[]; owners: number[]; raced?: boolean }> {
    const e = target.experiment;
    // 6.-8.
    const { chosen, snapshot, suggestions } = await this.optimize(projectId, state, target, slots.length, priorSeqs, timing);
    const why = chosen.length === 0 ? state.choice?.note : undefined;
    if (why) for (const s of suggestions) s.provenance.notes.push(why);

    const space = e.searchSpace as SearchSpace;
    const all = suggestions.map((s, i) => {
      const { config, hash } = prepareConfig(space, s.config, 'suggestion.config');
      return {
        slot: slots[i]!,
        requestKey: slots[i]!.requestKey,
        config,
        configHash: hash,
        strategy: s.provenance.strategy,
        reason: s.provenance.notes.join('; ') || null,
        provenance: { ...s.provenance, snapshot: { ...snapshot, batchIndex: i, batchSize: suggestions.length } },
        sources: s.provenance.sourceTrials.flatMap((t) => (t.trialId ? [{ trialId: t.trialId, weight: t.weight }] : [])),
      };
    });
    // 9. The snapshot keeps the index in the computed batch, so replay is exact whichever are recorded.
    const items: (SuggestionWrite & { slot: Slot })[] = all.filter((item) => wanted(item.slot));
    if (items.length === 0) return { trials: [], owners: [] };
    const uses = new Map<string, PriorUse>();
    for (const s of suggestions) {
      for (const p of s.provenance.priors) {
        const seen = uses.get(p.experimentId);
        if (!seen || p.weight > seen.weight) uses.set(p.experimentId, { experimentId: p.experimentId, similarity: p.similarity ?? null, weight: p.weight });
      }
    }
    // 10.
    const priorIds = chosen.map((c) => c.id);
    const recorded = await recordSuggestions(this.graph, projectId, e.id, items, [...uses.values()], priorSeqs.projects, {
      // Checked when the record is sent: results told meanwhile through this process are in the copy.
      expectSeq: copy ? state.copy.expectSeq() : null,
      priorIds,
      read: { seq: target.eventSeq, maxTrials: e.budget.maxTrials },
    });
    timing.mark('record');
    // 11.
    state.copy.recorded(recorded, { projects: priorSeqs.projects, asked: new Set(priorIds), seqs: recorded.priorSeqs }, copy);
    if (recorded.outdated) throw new OutdatedCopy();
    if (recorded.links.sources.length || recorded.links.configs.length) {
      const t0 = performance.now();
      const written = this.links.write(priorSeqs.projects, recorded.links).catch((err: unknown) => {
        // The batch's trials keep their mark in the graph: the experiment's next ask writes the edges.
        state.linksWhole = false;
        throw err;
      });
      after.push(written.then(() => void timing.entries.push(['links', performance.now() - t0])));
    }
    return { trials: recorded.trials, owners: recorded.indices.map((i) => items[i]!.slot.waiter), raced: recorded.seqBefore !== target.eventSeq };
  }

  /**
   * The experiment's history, identical to a fresh readHistory() but read incrementally: the cached
   * copy is brought up to date with the trials that changed at or after its event sequence number
   * (readHistorySince), so each request reads the experiment plus a few trials instead of all of
   * them. Every change of a trial moves the experiment's event sequence, whichever process writes
   * it, except two that readHistorySince always re-reads (see mergeHistory), so the copy stays exact
   * with several processes. The experiment itself (status, settings, counters) comes with every read.
   * `fromCopy`: a copy that is current (see HistoryCopy) is returned as it is, without a read (`copy`).
   */
  private async history(
    projectId: string,
    experimentId: string,
    state: ExperimentState,
    fromCopy: boolean,
  ): Promise<{ history: ExperimentHistory; priorSeqs: PriorSeqs; copy: boolean }> {
    const current = fromCopy ? state.copy.usable() : undefined;
    if (current) return { ...current, copy: true };
    const cached = state.copy.cached();
    // The priors chosen last time are most likely the ones needed: their event sequence numbers
    // come with the same read (PriorLibrary.load reads them itself when the choice changed).
    const asked = state.choice?.priors.map((p) => p.id) ?? [];
    const priorProjects = await visibleProjects(this.graph, projectId);
    let read = await readHistorySince(this.graph, projectId, experimentId, cached ? cached.eventSeq : null, asked, priorProjects);
    if (cached && read.eventSeq < cached.eventSeq) {
      // Event sequences only grow; a smaller one means the copy is not of this graph's history.
      read = await readHistorySince(this.graph, projectId, experimentId, null, asked, priorProjects);
    }
    const priorSeqs = { projects: priorProjects, asked: new Set(asked), seqs: read.priorSeqs };
    const history = cached && read.eventSeq >= cached.eventSeq ? mergeHistory(cached, read) : mergeHistory({ ...read, trials: [] }, read);
    state.copy.read(history, priorSeqs);
    return { history, priorSeqs, copy: false };
  }
}
