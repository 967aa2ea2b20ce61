/**
 * V8 CPU profiles of the benchmark's own process, taken around one phase (node:inspector), and a
 * text summary of where the samples fell. Sessions kept losing their git-ignored profiling
 * harnesses with the work tree; this is the committed one (`bench/suggest-latency.ts --cpu-profile`).
 * Sampling costs a little CPU of its own: figures of a profiled phase are not for comparison.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../src/config.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

/** Starts sampling this process; the returned function stops it and hands the profile back. */
export async function startCpuProfile(intervalUs = 500): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

/** Where a frame's code lives, short: a path in the repository, a package, or node's own. */
function placeOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `npm:${pkg[1]}`;
  return relative(REPO_ROOT, path);
}

export interface ProfileRow {
  name: string;
  share: number;
}

/**
 * Self-time shares by function and by place, and inclusive shares of the project's own functions
 * (a function's samples plus its callees', counted once per sample even under recursion).
 */
export function summarize(profile: CpuProfile, top = 25): { samples: number; byFunction: ProfileRow[]; byPlace: ProfileRow[]; inclusive: ProfileRow[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const place = placeOf(n.callFrame.url);
    return `${n.callFrame.functionName || '(anonymous)'} ${place}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const places = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Inclusive counts are per sample, so a node's count is its hits: walk each hit node's ancestors once.
  let samples = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    samples += hits;
    const own = label(n);
    self.set(own, (self.get(own) ?? 0) + hits);
    const place = placeOf(n.callFrame.url);
    places.set(place, (places.get(place) ?? 0) + hits);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const a = byId.get(id)!;
      const url = a.callFrame.url;
      if (!url.startsWith('file://') || url.includes('node_modules')) continue;
      const l = label(a);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + hits);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, n]) => ({ name, share: n / Math.max(1, samples) }));
  return { samples, byFunction: rows(self), byPlace: rows(places), inclusive: rows(inclusive) };
}

/** Writes `path` (open it in Chrome DevTools or speedscope) and returns the summary as text. */
export function saveProfile(profile: CpuProfile, path: string, top = 25): string {
  writeFileSync(path, JSON.stringify(profile));
  const s = summarize(profile, top);
  const pct = (r: ProfileRow) => `${(100 * r.share).toFixed(1).padStart(5)}%  ${r.name}`;
  return [
    `CPU profile ${path}: ${s.samples} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
    '  self time by place:',
    ...s.byPlace.map((r) => `    ${pct(r)}`),
    '  self time by function:',
    ...s.byFunction.map((r) => `    ${pct(r)}`),
    "  inclusive time of the project's functions:",
    ...s.inclusive.map((r) => `    ${pct(r)}`),
  ].join('\n');
}
