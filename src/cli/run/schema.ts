import { migrate as applyMigrations } from '../../../graph/schema/migrate.ts';
import type { Config } from '../../config.ts';
import { loadDemo } from '../../demo.ts';
import { withGraph } from '../graph.ts';
import { log } from '../io.ts';
import type { Input } from '../spec.ts';

export async function migrate(config: Config): Promise<void> {
  await withGraph(config, async (graph) => {
    const r = await applyMigrations(graph);
    log(`schema at v${r.current}; applied now: ${r.applied.join(', ') || 'none'}`);
  });
}

export async function demo(config: Config, input: Input): Promise<void> {
  await withGraph(config, async (graph) => {
    await applyMigrations(graph);
    const r = await loadDemo(graph, { force: input.flags.force, log });
    if (r.status === 'skipped') {
      log(r.message);
      process.exitCode = 1;
    }
  });
}
