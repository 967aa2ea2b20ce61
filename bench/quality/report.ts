// Human-readable output of a quality run: the stdout table and summary.md.
import type { QualityResults } from './run.ts';

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

/** Markdown table: mean normalised regret at each budget, then average rank at the full budget and trials-to-target. */
export function summaryTable(r: QualityResults): string {
  const full = String(r.budgets.at(-1));
  const head = ['method', ...r.budgets.map((b) => `regret@${b}`), `rank@${full}`, 'trials-to-target'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of r.methods) {
    const cells = [
      m,
      ...r.budgets.map((b) => fmt(r.summary[m]![String(b)])),
      fmt(r.ranks[m]![full], 2),
      r.trialsToTarget[m] === null ? '—' : String(r.trialsToTarget[m]),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function summaryMarkdown(r: QualityResults, command: string): string {
  const p = r.protocol;
  const skipped = p.skipped.map((s) => `- skipped **${s.method}**: ${s.reason}`).join('\n');
  return `# Quality benchmark: ${r.suite}

\`${command}\`

Leave one task out on ${p.tasks.length} task(s) × ${p.seeds.length} seed(s) (${p.seeds.join(', ')}); budget ${p.budget};
every other task is a prior with ${p.priorTrials} seeded evaluations${p.shufflePriors ? ', **values permuted (unrelated history)**' : ''}.
Mean normalised regret (best − incumbent)/(best − worst) over tasks and seeds; average rank (1 = best) at the full budget;
trials-to-target = trials until the mean regret reaches optuna-tpe's mean regret at the full budget (— when never, or
when optuna-tpe did not run).

${summaryTable(r)}
${skipped ? `\n${skipped}\n` : ''}
Tasks: ${p.tasks.join(', ')}

![regret curves](regret.svg)
`;
}
