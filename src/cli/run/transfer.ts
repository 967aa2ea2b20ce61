import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ConflictError, InvalidInputError } from '../../../graph/errors.ts';
import { ensureProject, getProjectByName } from '../../../graph/repositories/projects.ts';
import { migrate } from '../../../graph/schema/migrate.ts';
import { SetupError } from '../../../graph/server/errors.ts';
import type { Config } from '../../config.ts';
import { exportProject, importLines, parseImport } from '../../services/transfer.ts';
import { withGraph } from '../graph.ts';
import { log, report } from '../io.ts';
import type { Input } from '../spec.ts';

export async function exportCmd(config: Config, { opts }: Input): Promise<void> {
  const lines = await withGraph(config, async (graph) => {
    const project = await getProjectByName(graph, opts.project!);
    const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
    let n = 0;
    for await (const line of exportProject(graph, project.id)) {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
      n++;
    }
    if (opts.out) await new Promise<void>((res, rej) => (out as WriteStream).end((err?: Error | null) => (err ? rej(err) : res())));
    return n;
  });
  log(`exported project ${opts.project}: ${lines} line(s)${opts.out ? ` to ${opts.out}` : ''}`);
}

export async function importCmd(config: Config, { opts }: Input): Promise<void> {
  const file = opts.in!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SetupError(`cannot read ${file}: ${(err as Error).message}`, 'see `npm run import -- --help`');
  }
  await withGraph(config, async (graph) => {
    await migrate(graph);
    try {
      // Validate before the project is created, so a broken file leaves no trace.
      const lines = parseImport(text, config.spaceLimits);
      const project = await ensureProject(graph, opts.project!);
      const r = await importLines(graph, project.id, lines);
      const created = r.experiments.filter((e) => e.status === 'created').length;
      report(
        `imported into project ${opts.project}: ${created} experiment(s) created, ${r.experiments.length - created} already there, ${r.trials} trial(s), ${r.datasets.length} dataset-only line(s), in ${r.seconds.toFixed(1)} s`,
      );
    } catch (err) {
      if (err instanceof InvalidInputError)
        throw new SetupError(`${file} is not a valid export: ${err.message}`, 'Nothing was imported. Fix the line named above, or re-export.');
      if (err instanceof ConflictError) throw new SetupError(`${file}: ${err.message}`, 'Nothing was imported.');
      throw err;
    }
  });
}
