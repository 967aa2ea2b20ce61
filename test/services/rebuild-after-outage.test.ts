// What an outage dropped, built again by the warm-up: the experiments a SuggestionService primes and
// the keys VerifiedKeys verifies again. An outage during the rebuild must neither lose nor repeat work.
import { describe, expect, it } from 'vitest';
import { RebuildAfterOutage } from '../../src/services/rebuild-after-outage.ts';

const outage = () => Object.assign(new Error('connection lost'), { code: 'ServiceUnavailable' });

function recorder(max = 8) {
  const built: string[] = [];
  const rebuild = new RebuildAfterOutage<string>(max, (s) => s);
  return { rebuild, built };
}

describe('RebuildAfterOutage', () => {
  it('builds what was dropped, the most recently used first, each once, at most max', async () => {
    const { rebuild, built } = recorder(3);
    rebuild.dropped(['c', 'd']);
    rebuild.dropped(['a', 'b', 'a', 'c']);
    await rebuild.rebuild(async (s) => built.push(s));
    expect(built).toEqual(['a', 'b', 'c']);
    await rebuild.rebuild(async (s) => built.push(s));
    expect(built, 'nothing is left').toEqual(['a', 'b', 'c']);
  });

  it('stops at an outage and goes on from the item it failed at; other errors skip the item', async () => {
    const { rebuild, built } = recorder();
    rebuild.dropped(['a', 'b', 'c', 'd']);
    const failing = async (s: string) => {
      if (s === 'b') throw new Error('experiment deleted meanwhile');
      if (s === 'c') throw outage();
      built.push(s);
    };
    await expect(rebuild.rebuild(failing)).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect(built).toEqual(['a']);
    await rebuild.rebuild(async (s) => built.push(s));
    expect(built).toEqual(['a', 'c', 'd']);
  });

  it('puts what an outage during the rebuild dropped in front of what is left, and still takes the item being built off the list', async () => {
    const { rebuild, built } = recorder();
    rebuild.dropped(['a', 'b', 'c']);
    await rebuild.rebuild(async (s) => {
      // The connection was lost while `a` was being built: the service drops its copies of x and b.
      if (s === 'a' && !built.includes('a')) rebuild.dropped(['x', 'b']);
      built.push(s);
    });
    expect(built).toEqual(['a', 'x', 'b', 'c']);
  });
});
