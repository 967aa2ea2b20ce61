import { experimentProjectId } from '../../../graph/repositories/experiments.ts';
import type { Config } from '../../config.ts';
import { replayExperiment } from '../../services/replay.ts';
import { withGraph } from '../graph.ts';
import { out, report } from '../io.ts';
import type { Input } from '../spec.ts';

export async function replay(config: Config, input: Input): Promise<void> {
  const experimentId = input.args[0]!;
  const r = await withGraph(config, async (graph) => replayExperiment(graph, await experimentProjectId(graph, experimentId), experimentId));
  process.exitCode = r.mismatches.length === 0 ? 0 : 1;
  if (input.flags.json) return out(JSON.stringify(r));
  report(
    `replayed ${r.checked} optimizer suggestion(s) of ${experimentId} in ${r.seconds.toFixed(1)} s with ${r.optimizerVersion} (recorded with ${r.recordedVersions.join(', ') || 'none'})`,
  );
  if (r.skipped) report(`${r.skipped} suggestion(s) have no recorded snapshot and were skipped`);
  for (const m of r.mismatches) report(`  trial #${m.trialNumber}: recorded ${JSON.stringify(m.recorded)}, replayed ${JSON.stringify(m.replayed)}`);
  report(r.mismatches.length === 0 ? `all ${r.matched} match` : `${r.mismatches.length} of ${r.checked} differ`);
}
