import { createKey, listKeys, revokeKey } from '../../../graph/repositories/keys.ts';
import { migrate } from '../../../graph/schema/migrate.ts';
import type { Config } from '../../config.ts';
import { withGraph } from '../graph.ts';
import { log, out, report } from '../io.ts';
import { UsageError } from '../parse.ts';
import type { Input } from '../spec.ts';

export async function keysCreate(config: Config, { opts }: Input): Promise<void> {
  const project = opts.project!.trim();
  const help = 'npm run keys -- create --help';
  if (!project) throw new UsageError('keys create needs --project <name> (not blank)', help, 1);
  if (project.length > 100) throw new UsageError('--project must be at most 100 characters', help, 1);
  const { secret, key } = await withGraph(config, async (graph) => {
    await migrate(graph);
    return createKey(graph, project, opts.label);
  });
  log(`key ${key.id} for project "${key.project}" (shown once; only its hash is stored):`);
  out(secret);
}

export async function keysList(config: Config, { opts }: Input): Promise<void> {
  const keys = await withGraph(config, (graph) => listKeys(graph, opts.project));
  if (!keys.length) log('no keys');
  for (const k of keys)
    report(
      `${k.id}  ${k.hint}…  project ${k.project}  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}${k.label ? `  (${k.label})` : ''}`,
    );
}

export async function keysRevoke(config: Config, { args }: Input): Promise<void> {
  const k = await withGraph(config, (graph) => revokeKey(graph, args[0]!));
  log(`revoked key ${k.id} of project ${k.project} (running services stop accepting it within 10 s)`);
}
