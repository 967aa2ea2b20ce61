import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import { sharedCopyOf } from '../../graph/repositories/experiments.ts';
import { ensureProject, SHARED_PROJECT } from '../../graph/repositories/projects.ts';
import { exportLine, importLines, parseImport } from './transfer.ts';
import { rememberSharedProject } from './visible-projects.ts';

/**
 * Sharing: an owner copies one of their experiments into the project `shared`, whose experiments
 * every project's similarity search and warm start can use (read-only: no key is ever created for
 * it unless an administrator does). A copy is a snapshot: trials the owner adds later are not in it,
 * and sharing the experiment again returns the existing copy. Nothing else of the owner's project
 * becomes visible.
 */
export async function shareExperiment(graph: Graph, projectId: string, experimentId: string): Promise<{ experimentId: string; status: 'created' | 'exists' }> {
  const line = await exportLine(graph, projectId, experimentId);
  const shared = await ensureProject(graph, SHARED_PROJECT);
  rememberSharedProject(shared.id);
  if (shared.id === projectId) throw new ConflictError('this experiment is already in the shared project');
  const existing = await sharedCopyOf(graph, shared.id, experimentId);
  if (existing) return { experimentId: existing, status: 'exists' };
  // The experiment exists already: the limits it was declared under were checked then.
  const items = parseImport(line, { maxChoices: Number.POSITIVE_INFINITY, maxWidth: Number.POSITIVE_INFINITY }).map((item) =>
    item.kind === 'experiment' ? { ...item, experiment: { ...item.experiment, sharedFrom: experimentId } } : item,
  );
  // The copy's importedFrom is the original's id (the line's id), unique in the shared project: two
  // shares of one experiment at once leave one copy, and the later one answers `exists`.
  const r = await importLines(graph, shared.id, items);
  const copy = r.experiments[0];
  if (!copy) throw new Error('sharing imported nothing');
  return { experimentId: copy.experimentId, status: copy.status };
}
