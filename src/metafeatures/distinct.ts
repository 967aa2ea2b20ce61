/** 32-bit FNV-1a with a murmur3 finalizer: FNV alone has weak low bits, and KMV needs uniform hashes. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Distinct-value counter in fixed memory (k minimum values sketch): exact while fewer
 * than k distinct hashes have been seen, an estimate with ~1/sqrt(k) relative error
 * beyond (measured ≈3% sd at k = 1024). A per-column Set would grow with the file for ID-like columns.
 */
export class DistinctCounter {
  private readonly k: number;
  private readonly hashes: Uint32Array; // sorted ascending, first `size` valid
  private size = 0;

  constructor(k = 1024) {
    this.k = k;
    this.hashes = new Uint32Array(k);
  }

  add(s: string): void {
    const h = hashString(s);
    const hashes = this.hashes;
    const size = this.size;
    const k = this.k;
    if (size === k && h >= hashes[k - 1]!) return;
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    if (lo < size && hashes[lo] === h) return;
    if (size === k) {
      hashes.copyWithin(lo + 1, lo, k - 1);
    } else {
      hashes.copyWithin(lo + 1, lo, size);
      this.size = size + 1;
    }
    hashes[lo] = h;
  }

  /** True while the count is exact (up to 32-bit hash collisions). */
  get exact(): boolean {
    return this.size < this.k;
  }

  estimate(): number {
    if (this.size < this.k) return this.size;
    const kth = this.hashes[this.k - 1]!;
    return Math.round(((this.k - 1) * 4294967296) / (kth + 1));
  }
}
