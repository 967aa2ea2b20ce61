// Human-readable output of a quality run: the stdout table and summary.md.
import { environmentLine } from './environment.ts';
import { REFERENCE_METHOD, type QualityResults } from './run.ts';

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

/** The trials-to-target cell: a count, "not reached" within the budget, or "no baseline" when the
 * reference (optuna-tpe) did not run, so there is no target. */
export function trialsToTargetCell(r: QualityResults, m: string): string {
  const t = r.trialsToTarget[m];
  if (t !== null && t !== undefined) return String(t);
  return r.curves[REFERENCE_METHOD] ? 'not reached' : 'no baseline';
}

/** Markdown table: mean normalised regret at each budget, then average rank at the full budget and trials-to-target. */
export function summaryTable(r: QualityResults): string {
  const full = String(r.budgets.at(-1));
  const head = ['method', ...r.budgets.map((b) => `regret@${b}`), `rank@${full}`, 'trials-to-target'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of r.methods) {
    const cells = [m, ...r.budgets.map((b) => fmt(r.summary[m]![String(b)])), fmt(r.ranks[m]![full], 2), trialsToTargetCell(r, m)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** "every other task", or "K other tasks drawn per (target, seed)". */
export function priorsPhrase(r: QualityResults): string {
  const k = r.protocol.priorExperiments ?? 'all';
  return k === 'all' ? 'every other task is a prior' : `${k} other task(s), drawn per (target, seed), are the priors`;
}

export function warningsList(r: QualityResults): string {
  return (r.protocol.warnings ?? []).map((w) => `- **warning**: ${w}`).join('\n');
}

export function summaryMarkdown(r: QualityResults, command: string): string {
  const p = r.protocol;
  const skipped = p.skipped.map((s) => `- skipped **${s.method}**: ${s.reason}`).join('\n');
  const notes = [warningsList(r), skipped].filter(Boolean).join('\n');
  return `# Quality benchmark: ${r.suite}

\`${command}\`

${environmentLine(r.environment)}

Leave one task out on ${p.tasks.length} task(s) × ${p.seeds.length} seed(s) (${p.seeds.join(', ')}); budget ${p.budget};
${priorsPhrase(r)} with ${p.priorTrials} seeded evaluations${p.shufflePriors ? ', **values permuted (unrelated history)**' : ''}.
Mean normalised regret (best − incumbent)/(best − worst) over tasks and seeds; average rank (1 = best) at the full budget;
trials-to-target = trials until the mean regret reaches optuna-tpe's mean regret at the full budget ("not reached"
within the budget; "no baseline" when optuna-tpe did not run).

${summaryTable(r)}
${notes ? `\n${notes}\n` : ''}
Tasks: ${p.tasks.join(', ')}

![regret curves](regret.svg)
`;
}
