// The repository stands alone: a clone with nothing beside it must find every suite the tests, the demo
// and the benchmarks read, inside the repository.
import { relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.ts';
import { BUNDLED_SUITES, findSuite, readSuite, suiteCandidates } from '../../src/suites.ts';

const inside = (path: string) => {
  const rel = relative(REPO_ROOT, path);
  return rel !== '' && !rel.startsWith('..');
};

describe('benchmark suites ship with the repository', () => {
  const saved = process.env.PRECEDENT_SUITES;
  afterEach(() => {
    if (saved === undefined) delete process.env.PRECEDENT_SUITES;
    else process.env.PRECEDENT_SUITES = saved;
  });

  it('looks only inside the repository unless PRECEDENT_SUITES says otherwise', () => {
    delete process.env.PRECEDENT_SUITES;
    expect(suiteCandidates()).toEqual([BUNDLED_SUITES]);
    for (const dir of suiteCandidates()) expect(inside(dir), dir).toBe(true);
  });

  it.each(['ecml2016-svm', 'ecml2016-adaboost', 'lcbench'])('%s resolves inside the repository and parses', (name) => {
    delete process.env.PRECEDENT_SUITES;
    const file = findSuite(name);
    expect(file).not.toBeNull();
    expect(inside(file!), file!).toBe(true);
    const suite = readSuite(file!);
    expect(suite.name).toBe(name);
    expect(suite.tasks.length).toBeGreaterThan(30);
  });

  it('PRECEDENT_SUITES is searched first', () => {
    process.env.PRECEDENT_SUITES = '/nonexistent/suites';
    expect(suiteCandidates()[0]).toBe('/nonexistent/suites');
    expect(findSuite('lcbench')).toBe(`${BUNDLED_SUITES}/lcbench.json`);
  });
});
