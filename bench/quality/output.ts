// Files of a quality run: results.json (everything, every curve), summary.md and regret.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { regretSvg } from './plot.ts';
import { summaryMarkdown } from './report.ts';
import type { QualityResults } from './run.ts';

export async function writeOutputs(dir: string, r: QualityResults, command: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = {
    'results.json': `${JSON.stringify(r)}\n`,
    'summary.md': summaryMarkdown(r, command),
    'regret.svg': await regretSvg(r),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files).map((f) => join(dir, f));
}
