import { open } from 'node:fs/promises';
import type { Graph } from '../../../graph/driver.ts';
import type { Dataset } from '../../../graph/model.ts';
import { listDatasets } from '../../../graph/repositories/datasets.ts';
import { ensureProject, getProjectByName } from '../../../graph/repositories/projects.ts';
import { migrate } from '../../../graph/schema/migrate.ts';
import { SetupError } from '../../../graph/server/errors.ts';
import type { Config } from '../../config.ts';
import { ProfileError } from '../../metafeatures/index.ts';
import { registerCsvDataset } from '../../services/datasets.ts';
import { withGraph } from '../graph.ts';
import { log, out } from '../io.ts';
import type { Input } from '../spec.ts';
import { table } from '../table.ts';

const HELP = 'see `npm run dataset -- add --help`';

export async function datasetAdd(config: Config, { opts }: Input): Promise<void> {
  const csv = opts.csv!;
  // Opened here, before the graph: the stream is read in a worker thread, where a missing file
  // would surface only as a failed profile.
  const file = await open(csv).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new SetupError(`no such file: ${csv}`, HELP) : err;
  });
  const r = await withGraph(config, async (graph) => {
    await migrate(graph);
    const project = await ensureProject(graph, opts.project!);
    try {
      return await registerCsvDataset(graph, project.id, file.createReadStream({ highWaterMark: 1 << 20 }), {
        name: opts.name!,
        version: opts.version!,
        profile: { target: opts.target, taskType: opts['task-type'] as 'auto' | 'classification' | 'regression' },
      });
    } catch (err) {
      if (err instanceof ProfileError) throw new SetupError(`cannot profile ${csv}: ${err.message}`, HELP);
      throw err;
    }
  });
  log(`${r.created ? 'registered' : 'already registered'} dataset ${r.dataset.name} v${r.dataset.version} (${r.dataset.id}) in project ${opts.project}`);
  log(`${r.profile.rows} rows, ${Object.keys(r.dataset.metaFeatures).length} meta-features, fingerprint ${r.dataset.fingerprint}`);
  for (const note of r.profile.notes) log(`  note: ${note}`);
  // The id alone, so `DS=$(npm run -s dataset -- add …)` can feed it to the API.
  out(r.dataset.id);
}

const PAGE = 500;

async function allDatasets(graph: Graph, projectId: string): Promise<Dataset[]> {
  const items: Dataset[] = [];
  for (;;) {
    const page = await listDatasets(graph, projectId, { limit: PAGE, offset: items.length });
    items.push(...page.items);
    if (page.items.length < PAGE || items.length >= page.total) return items;
  }
}

export async function datasetList(config: Config, { opts, flags }: Input): Promise<void> {
  const items = await withGraph(config, async (graph) => allDatasets(graph, (await getProjectByName(graph, opts.project!)).id));
  if (flags.json) return out(JSON.stringify(items, null, 2));
  if (!items.length) return log(`project ${opts.project} has no datasets`);
  out(
    table(
      ['NAME', 'VERSION', 'ID', 'TASK', 'INSTANCES', 'FEATURES', 'EXPERIMENTS'],
      items.map((d) => [d.name, d.version, d.id, d.taskType, d.instances, d.features, d.experimentCount ?? 0]),
    ),
  );
}
