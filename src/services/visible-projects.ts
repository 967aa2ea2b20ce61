import type { Graph } from '../../graph/driver.ts';
import { findProjectByName, SHARED_PROJECT } from '../../graph/repositories/projects.ts';

/**
 * The projects a caller may learn from: its own, and `shared` (see sharing.ts). The shared
 * project's id never changes once it exists; while it does not, it is looked up again now and then.
 */
let shared: { id: string | null; at: number } | null = null;
const ABSENT_RECHECK_MS = 10_000;

export function rememberSharedProject(id: string): void {
  shared = { id, at: Date.now() };
}

async function sharedProjectId(graph: Graph): Promise<string | null> {
  if (shared && (shared.id || Date.now() - shared.at < ABSENT_RECHECK_MS)) return shared.id;
  const p = await findProjectByName(graph, SHARED_PROJECT);
  shared = { id: p?.id ?? null, at: Date.now() };
  return shared.id;
}

export async function visibleProjects(graph: Graph, projectId: string): Promise<string[]> {
  const id = await sharedProjectId(graph);
  return id && id !== projectId ? [projectId, id] : [projectId];
}
