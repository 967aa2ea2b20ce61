// What one target experiment's calls carry from one to the next. Each slot holds one entry and the
// key of the inputs it was computed from (a target space and an ordered set of prior versions); an
// entry for other inputs replaces it, since a set of priors whose data moved on is never asked for
// again. Every slot is a shortcut: an entry is used only where it equals recomputing.
import type { Config } from './schema.ts';
import type { EncodedConfig } from './cache.ts';
import type { ConcordanceState } from './concordance.ts';
import type { Agreements } from './warmstart/relevance.ts';

/**
 * The target's observations at the last call and the config memo's entry of each (undefined where the
 * memo had none): the next call takes the entries of the observations it shares from the start, by
 * identity, instead of looking each one up again (see prepareTarget).
 */
export type PreparedObservations = { observations: readonly object[]; known: (EncodedConfig | undefined)[] };

/**
 * Each prior's lowest loss over the configurations the target tried, and their keys (see
 * PriorEvidence.triedLosses). `tried` lists the configurations in the order they were first counted, and column p
 * of `mins` covers the first `counted[p]` of them.
 */
export type TriedLosses = { keys: Set<string>; tried: { config: Config; key: string }[]; counted: Int32Array; mins: Float64Array };

/** The priors' ranking agreements with the target's first results, and the results they were measured on (configuration keys and values, in order). */
export type MeasuredAgreements = Agreements & { keys: string[]; y: Float64Array };

type Slots = {
  prepared: PreparedObservations;
  triedLosses: TriedLosses;
  /** The priors' ranking agreement with the target's results, counted so far (see concordanceCounts). */
  concordance: ConcordanceState;
  agreements: MeasuredAgreements;
};

/** One per target experiment, never shared between experiments (see SuggestOptions.targetMemo). */
export class TargetMemo {
  private readonly slots: { [S in keyof Slots]?: { key: string; value: Slots[S] } } = {};

  /** The slot's entry if it was computed from inputs named `key`. */
  get<S extends keyof Slots>(slot: S, key: string): Slots[S] | undefined {
    const entry = this.slots[slot];
    return entry?.key === key ? (entry.value as Slots[S]) : undefined;
  }

  /** The slot's entry and the key of the inputs it was computed from, whichever they are. */
  entry<S extends keyof Slots>(slot: S): { key: string; value: Slots[S] } | undefined {
    return this.slots[slot] as { key: string; value: Slots[S] } | undefined;
  }

  /** Puts `value` in the slot (undefined empties it). */
  set<S extends keyof Slots>(slot: S, key: string, value: Slots[S] | undefined): void {
    if (value === undefined) delete this.slots[slot];
    else (this.slots as Record<string, unknown>)[slot] = { key, value };
  }
}
