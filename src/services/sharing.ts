import type { Graph } from '../../graph/driver.ts';
import { ConflictError } from '../../graph/errors.ts';
import { sharedCopyOf } from '../../graph/repositories/experiments.ts';
import { ensureProject, findProjectByName, SHARED_PROJECT } from '../../graph/repositories/projects.ts';
import { exportLine, importLines, parseImport } from './transfer.ts';

/**
 * Sharing: an owner copies one of their experiments into the project `shared`, whose experiments
 * every project's similarity search and warm start can use (read-only: no key is ever created for
 * it by precedent). A copy is a snapshot: trials the owner adds later are not shared unless the
 * experiment is shared again under a new copy. Nothing else of the owner's project becomes visible.
 */
let sharedId: { id: string | null; at: number } | null = null;
const ABSENT_RECHECK_MS = 10_000;

async function sharedProjectId(graph: Graph): Promise<string | null> {
  if (sharedId && (sharedId.id || Date.now() - sharedId.at < ABSENT_RECHECK_MS)) return sharedId.id;
  const p = await findProjectByName(graph, SHARED_PROJECT);
  sharedId = { id: p?.id ?? null, at: Date.now() };
  return sharedId.id;
}

/** The projects whose experiments a caller may learn from: its own, and the shared one. */
export async function visibleProjects(graph: Graph, projectId: string): Promise<string[]> {
  const shared = await sharedProjectId(graph);
  return shared && shared !== projectId ? [projectId, shared] : [projectId];
}

export async function shareExperiment(graph: Graph, projectId: string, experimentId: string): Promise<{ experimentId: string; status: 'created' | 'exists' }> {
  const line = await exportLine(graph, projectId, experimentId);
  const shared = await ensureProject(graph, SHARED_PROJECT);
  sharedId = { id: shared.id, at: Date.now() };
  if (shared.id === projectId) throw new ConflictError('this experiment is already in the shared project');
  const existing = await sharedCopyOf(graph, shared.id, experimentId);
  if (existing) return { experimentId: existing, status: 'exists' };
  const items = parseImport(line).map((item) =>
    item.kind === 'experiment' ? { ...item, experiment: { ...item.experiment, sharedFrom: experimentId } } : item,
  );
  const r = await importLines(graph, shared.id, items);
  const copy = r.experiments[0];
  if (!copy) throw new Error('sharing imported nothing');
  return { experimentId: copy.experimentId, status: 'created' };
}
