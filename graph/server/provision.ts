import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from './errors.ts';

const POM = join(dirname(fileURLToPath(import.meta.url)), 'pom.xml');

/** The versions pinned in pom.xml, read from it so there is one source of truth. */
export function pinnedVersions(): { neo4j: string; browser: string } {
  const pom = readFileSync(POM, 'utf8');
  const neo4j = /<neo4j\.version>([^<]+)</.exec(pom)?.[1];
  const browser = /<neo4j\.browser\.version>([^<]+)</.exec(pom)?.[1];
  if (!neo4j || !browser) throw new Error(`cannot read Neo4j versions from ${POM}`);
  return { neo4j, browser };
}

/**
 * Jars live outside the clone (≈140 MB) so a second clone on the same machine reuses them;
 * PRECEDENT_CACHE_DIR moves them.
 */
export function jarCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.PRECEDENT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'precedent');
  const v = pinnedVersions();
  return join(base, `neo4j-${v.neo4j}-browser-${v.browser}`, 'lib');
}

const COMPLETE_MARKER = '.complete';

export interface ProvisionResult {
  libDir: string;
  downloaded: boolean;
  seconds: number;
}

/**
 * Copies Neo4j Community and Neo4j Browser with their runtime dependencies from Maven Central
 * into the jar cache. The copy goes to a temporary folder first and is renamed into place, so
 * an interrupted download never leaves a half-filled lib/ that looks usable.
 */
export function provisionJars(log: (line: string) => void = () => {}, env = process.env): ProvisionResult {
  const libDir = jarCacheDir(env);
  if (existsSync(join(libDir, COMPLETE_MARKER))) return { libDir, downloaded: false, seconds: 0 };
  const started = Date.now();
  const which = spawnSync('mvn', ['--version'], { stdio: 'ignore', env });
  if (which.error || which.status !== 0) {
    throw new SetupError(
      'Maven (mvn) is needed once to download Neo4j from Maven Central, and it was not found.',
      'Install it, e.g. `apt-get install -y maven`, then run the command again.',
    );
  }
  const staging = `${libDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(libDir), { recursive: true });
  log(`Downloading Neo4j ${pinnedVersions().neo4j} from Maven Central into ${libDir} (first run only, ~140 MB)...`);
  const r = spawnSync('mvn', ['-B', '-q', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  if (r.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new SetupError(
      `Downloading Neo4j with Maven failed (exit ${r.status}).\n${tail}`,
      'Check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml) and run the command again.',
    );
  }
  writeFileSync(join(staging, COMPLETE_MARKER), new Date().toISOString());
  rmSync(libDir, { recursive: true, force: true });
  renameSync(staging, libDir);
  return { libDir, downloaded: true, seconds: (Date.now() - started) / 1000 };
}
