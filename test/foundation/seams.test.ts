// The layout's rules, read off the source: dependencies point one way (src → graph, src → optimizers),
// the optimizer does no I/O, Cypher lives in graph/ only, and the warm-start algorithms are pure
// functions (the samplers reach the memos only through optimizers/prior-evidence.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** Each import of a file: the module as written and, for a relative one, the path it names from the root. */
function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return specs.map((spec) => ({ spec, target: spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : null }));
}

function violations(files: string[], bad: (i: { spec: string; target: string | null }) => boolean): string[] {
  return files.flatMap((f) => importsOf(f).flatMap((i) => (bad(i) ? [`${f} imports ${i.spec}`] : [])));
}

describe('layout seams', () => {
  it('finds the imports it checks (the reader works)', () => {
    const imports = importsOf('optimizers/prior-evidence.ts').map((i) => i.target);
    expect(imports).toContain('optimizers/cache.ts');
    expect(imports).toContain('optimizers/warmstart/portfolio.ts');
  });

  it('optimizers/ imports nothing outside itself but zod: no I/O, no Neo4j, no fastify', () => {
    expect(violations(sources('optimizers'), (i) => (i.target === null ? i.spec !== 'zod' : !i.target.startsWith('optimizers/')))).toEqual([]);
  });

  it('graph/ imports neither src/ nor optimizers/', () => {
    expect(violations(sources('graph'), (i) => i.target !== null && (i.target.startsWith('src/') || i.target.startsWith('optimizers/')))).toEqual([]);
  });

  it('warmstart/ algorithms touch no memo, and the samplers reach ModelCache and TargetMemo only through prior-evidence.ts', () => {
    const memos = ['optimizers/cache.ts', 'optimizers/target-memo.ts', 'optimizers/prior-evidence.ts'];
    expect(violations(sources('optimizers/warmstart'), (i) => i.target !== null && memos.includes(i.target))).toEqual([]);
    const samplers = sources('optimizers/samplers');
    expect(violations(samplers, (i) => i.target !== null && memos.slice(0, 2).includes(i.target))).toEqual([]);
  });

  it('Cypher appears in graph/ only', () => {
    const cypher = /\b(MATCH|MERGE|DETACH DELETE)\s*\(/;
    const outside = [...sources('src'), ...sources('optimizers')].filter((f) => cypher.test(readFileSync(join(root, f), 'utf8')));
    expect(outside).toEqual([]);
  });
});
