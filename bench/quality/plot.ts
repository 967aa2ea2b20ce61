// Regret curves as an SVG: vega-lite spec → vega → headless SVG (no browser, no canvas needed for SVG).
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { meanCurve } from './metrics.ts';
import type { QualityResults } from './run.ts';

/** Log scales cannot show 0 (the optimum found): such means are drawn at this floor, stated on the axis. */
export const REGRET_FLOOR = 1e-4;

export function regretSpec(r: QualityResults): TopLevelSpec {
  const values = r.methods.flatMap((m) => meanCurve(r.curves[m]!).map((regret, t) => ({ method: m, trial: t + 1, regret: Math.max(regret, REGRET_FLOOR) })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${r.suite}: mean normalised regret (${r.protocol.tasks.length} tasks × ${r.protocol.seeds.length} seeds${r.protocol.shufflePriors ? ', shuffled priors' : ''})`,
    width: 560,
    height: 340,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'trial', type: 'quantitative', title: 'trials', scale: { domain: [1, r.protocol.budget] }, axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'regret', type: 'quantitative', scale: { type: 'log' }, title: `normalised regret (log; 0 drawn at ${REGRET_FLOOR})` },
      color: { field: 'method', type: 'nominal', sort: r.methods, title: 'method' },
    },
  };
}

export async function regretSvg(r: QualityResults): Promise<string> {
  const view = new View(parse(compile(regretSpec(r)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
