import type { Graph } from '../../graph/driver.ts';
import { InvalidInputError } from '../../graph/errors.ts';
import { missingExperimentIds } from '../../graph/repositories/experiments.ts';
import { visibleProjects } from './visible-projects.ts';

/**
 * An explicit warm-start list may only name the caller's own experiments and shared ones. The
 * answer is the same for an id that does not exist and one that belongs to another project.
 */
export async function assertOwnExperiments(graph: Graph, projectId: string, field: string, ids: string[] | undefined): Promise<void> {
  if (!ids?.length) return;
  const missing = await missingExperimentIds(graph, await visibleProjects(graph, projectId), ids);
  if (!missing.length) return;
  const at = (ids ?? []).indexOf(missing[0]!);
  throw new InvalidInputError(`${field}.${at}`, `no experiment ${missing[0]} in this project`);
}
