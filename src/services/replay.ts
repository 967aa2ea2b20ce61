import type { Graph } from '../../graph/driver.ts';
import { readHistories, readHistory } from '../../graph/repositories/history.ts';
import { visibleProjects } from './visible-projects.ts';
import { OPTIMIZER_VERSION } from '../../optimizers/version.ts';
import { suggest } from '../../optimizers/suggest.ts';
import { configKey } from '../../optimizers/space.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { buildRequest, candidatesOf, MenuExhaustedError, Snapshot } from './history.ts';

export interface ReplayReport {
  experimentId: string;
  optimizerVersion: string;
  recordedVersions: string[];
  checked: number;
  matched: number;
  skipped: number;
  mismatches: { trialNumber: number; recorded: Record<string, unknown>; replayed: Record<string, unknown> | null }[];
  seconds: number;
}

/**
 * Recomputes every optimizer suggestion of an experiment from its recorded snapshot (the
 * history as of the suggestion, the priors as of then, the seed and settings) with a cold
 * optimizer, and compares the configurations. Trials a person proposed are not replayed.
 */
export async function replayExperiment(graph: Graph, projectId: string, experimentId: string): Promise<ReplayReport> {
  const started = performance.now();
  const target = await readHistory(graph, projectId, experimentId);
  const space = target.experiment.searchSpace as SearchSpace;
  const groups = new Map<string, { snap: Snapshot; trials: { number: number; index: number; config: Record<string, unknown>; version: string }[] }>();
  let skipped = 0;
  for (const t of target.trials) {
    if (t.proposedBy !== 'optimizer') continue;
    const parsed = Snapshot.safeParse(t.provenance?.snapshot);
    if (!parsed.success) {
      skipped++;
      continue;
    }
    const snap = parsed.data;
    // One group per computation: two processes may record batches read at the same event with
    // different priors or settings, so everything the snapshot holds but the index tells them apart.
    const key = JSON.stringify({ ...snap, batchIndex: 0 });
    const g = groups.get(key) ?? { snap, trials: [] };
    g.trials.push({ number: t.number, index: snap.batchIndex, config: t.config, version: String(t.provenance?.optimizerVersion ?? '') });
    groups.set(key, g);
  }
  const priorIds = [...new Set([...groups.values()].flatMap((g) => g.snap.priors.map((p) => p.experimentId)))];
  const priors = await readHistories(graph, await visibleProjects(graph, projectId), priorIds, true);
  const candidates = await candidatesOf(graph, projectId, target.experiment);
  const report: ReplayReport = {
    experimentId,
    optimizerVersion: OPTIMIZER_VERSION,
    recordedVersions: [],
    checked: 0,
    matched: 0,
    skipped,
    mismatches: [],
    seconds: 0,
  };
  const versions = new Set<string>();
  for (const g of groups.values()) {
    let replayed: ReturnType<typeof suggest> = [];
    try {
      replayed = suggest(buildRequest(target, priors, g.snap, g.snap.batchSize, candidates));
    } catch (err) {
      // A menu with nothing left at that point cannot have produced the trial: a mismatch, not a failure.
      if (!(err instanceof MenuExhaustedError)) throw err;
    }
    for (const t of g.trials) {
      versions.add(t.version);
      report.checked++;
      const again = replayed[t.index]?.config ?? null;
      if (again && configKey(space, again) === configKey(space, t.config as never)) report.matched++;
      else report.mismatches.push({ trialNumber: t.number, recorded: t.config, replayed: again });
    }
  }
  report.recordedVersions = [...versions];
  report.mismatches.sort((a, b) => a.trialNumber - b.trialNumber);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
