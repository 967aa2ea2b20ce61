/**
 * What the dashboard's experiment page shows beyond the stored history: parameter importance
 * (PED-ANOVA, optimizers/importance) and the warm-start comparison — the experiment's best-so-far curve
 * beside those of the priors it learned from and the median of the project's cold runs of the same
 * model, each normalised to its own range so that experiments on different datasets share one scale.
 */
import type { Graph } from '../../graph/driver.ts';
import {
  browserExperimentQuery,
  browserTrialQuery,
  type CurveSource,
  type DashboardTrial,
  readExperimentDashboard,
  readTrialWhy,
} from '../../graph/repositories/dashboard.ts';
import { pedAnova, type ImportanceResult } from '../../optimizers/importance/index.ts';
import type { SearchSpace } from '../../optimizers/schema.ts';
import { visibleProjects } from './visible-projects.ts';

type Direction = 'minimize' | 'maximize';

/** The best value after each of `values` (in order), for the direction. */
export function bestSoFar(values: number[], direction: Direction): number[] {
  const out: number[] = [];
  let best = Number.NaN;
  for (const v of values) {
    if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
    out.push(best);
  }
  return out;
}

/**
 * The best-so-far curve scaled to the experiment's own range: 0 is its worst completed value, 1 its best.
 * An experiment whose values are all equal is at 1 throughout.
 */
export function normalisedBestSoFar(values: number[], direction: Direction): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return bestSoFar(finite, direction).map((b) => (span > 0 ? (direction === 'maximize' ? (b - lo) / span : (hi - b) / span) : 1));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The point-wise median of normalised best-so-far curves, at each trial count while at least half of
 * the curves (and at least one) reach it: past that the median would be of a few long runs only.
 */
export function medianCurve(curves: number[][]): number[] {
  const usable = curves.filter((c) => c.length > 0);
  const need = Math.max(1, Math.ceil(usable.length / 2));
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const at = usable.flatMap((c) => (i < c.length ? [c[i]!] : []));
    if (at.length < need) return out;
    out.push(median(at));
  }
}

const completedValues = (trials: DashboardTrial[]) =>
  trials.flatMap((t) => (t.state === 'completed' && !t.invalid && typeof t.value === 'number' && Number.isFinite(t.value) ? [t.value] : []));

const curveOf = (s: CurveSource) => normalisedBestSoFar(s.values, s.direction);

export async function experimentDashboard(graph: Graph, projectId: string, id: string) {
  const projectIds = await visibleProjects(graph, projectId);
  const data = await readExperimentDashboard(graph, projectIds, projectId, id);
  const { experiment, trials } = data;
  const direction = experiment.objective.direction;
  const completed = trials.filter((t) => t.state === 'completed' && !t.invalid && typeof t.value === 'number' && Number.isFinite(t.value));
  const importance: ImportanceResult = pedAnova(
    experiment.searchSpace as SearchSpace,
    direction,
    completed.map((t) => ({ config: t.config, value: t.value as number })),
  );
  const coldCurves = data.cold.map(curveOf);
  return {
    experiment: { ...experiment, counts: data.counts, eventSeq: data.eventSeq, bestTrialId: data.bestTrialId },
    trials,
    importance,
    warmStart: {
      normalisation: 'best value so far, scaled per experiment: 0 = its worst completed value, 1 = its best',
      target: normalisedBestSoFar(completedValues(trials), direction),
      priors: data.priors.map((p) => ({
        experimentId: p.experimentId,
        name: p.name,
        datasetName: p.datasetName,
        projectId: p.projectId,
        similarity: p.similarity,
        weight: p.weight,
        uses: p.uses,
        completedTrials: p.values.length,
        best: p.values.length ? bestSoFar(p.values, p.direction).at(-1)! : null,
        curve: curveOf(p),
      })),
      cold: data.cold.length > 0 ? { experiments: data.cold.length, names: data.cold.map((c) => c.name), median: medianCurve(coldCurves) } : null,
    },
    browserQuery: browserExperimentQuery(experiment.id),
  };
}

export async function trialWhy(graph: Graph, projectId: string, trialId: string) {
  const projectIds = await visibleProjects(graph, projectId);
  const data = await readTrialWhy(graph, projectIds, projectId, trialId);
  return { ...data, browserQuery: browserTrialQuery(data.trial.id) };
}
