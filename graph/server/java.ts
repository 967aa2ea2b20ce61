import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from './errors.ts';

/** Neo4j 5.26 LTS runs on Java 17 and 21 only; newer JDKs (e.g. 25) fail at start-up. */
const SUPPORTED_MAJORS = [17, 21];

export interface JavaRuntime {
  bin: string;
  major: number;
}

function majorOf(bin: string, env: NodeJS.ProcessEnv): number | undefined {
  // `java -version` prints to stderr, so read both streams.
  const r = spawnSync(bin, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', env, timeout: 20_000 });
  if (r.error) return undefined;
  return parseMajor(`${r.stdout}${r.stderr}`);
}

function parseMajor(text: string): number | undefined {
  const m = /java\.specification\.version = (\d+)/.exec(text) ?? /version "(\d+)/.exec(text);
  return m?.[1] ? Number(m[1]) : undefined;
}

function spawnMajor(bin: string, env: NodeJS.ProcessEnv): number | undefined {
  if (bin.includes('/') && !existsSync(bin)) return undefined;
  return majorOf(bin, env);
}

/**
 * Picks a JVM for Neo4j: JAVA_HOME if it is a supported version, then `java` on PATH,
 * then any JDK 17/21 under /usr/lib/jvm (Debian's layout), so a machine whose default
 * java is too new still works without the user exporting anything.
 */
export function findJava(env: NodeJS.ProcessEnv = process.env, jvmDir = '/usr/lib/jvm'): JavaRuntime {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  if (existsSync(jvmDir)) {
    for (const d of readdirSync(jvmDir).sort()) candidates.push(join(jvmDir, d, 'bin', 'java'));
  }
  for (const c of candidates) {
    const major = spawnMajor(c, env);
    if (major !== undefined && SUPPORTED_MAJORS.includes(major)) return { bin: c, major };
    tried.push(`${c}: ${major === undefined ? 'not found' : `Java ${major}`}`);
  }
  throw new SetupError(
    `No Java ${SUPPORTED_MAJORS.join(' or ')} runtime found for Neo4j 5.26 (tried ${tried.join('; ')}).`,
    'Install one, e.g. `apt-get install -y openjdk-17-jre-headless`, or set JAVA_HOME to a JDK 17 or 21.',
  );
}
