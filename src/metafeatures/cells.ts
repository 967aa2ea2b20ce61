/**
 * Cell-level conventions shared by the streaming pass and the sample decoder, so a
 * value is classified identically in both places.
 */

/** Cell contents (after trimming whitespace) that count as missing; '' is missing too. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['NA', 'N/A', 'n/a', 'na', 'NaN', 'nan', 'NAN', '?']);

/** Trimmed cell, or null when the cell is missing. */
export function normalizeCell(raw: string): string | null {
  let s = raw;
  const n = s.length;
  if (n === 0) return null;
  // Trimming allocates; most cells have no surrounding whitespace, so check first.
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) {
    s = s.trim();
    if (s.length === 0) return null;
  }
  // Every missing token is at most 3 characters; skip the Set lookup otherwise.
  if (s.length <= 3 && MISSING_TOKENS.has(s)) return null;
  return s;
}

/**
 * Finite decimal number, or NaN. Stricter than Number(): rejects hex/binary/octal
 * literals and 'Infinity', which would otherwise turn ID-like or textual columns
 * into numeric ones.
 */
export function parseNumber(s: string): number {
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46)) return NaN;
  const x = Number(s);
  if (!Number.isFinite(x)) return NaN;
  if (c === 48 && s.length > 2) {
    const c1 = s.charCodeAt(1) | 0x20; // lower-case
    if (c1 === 0x78 || c1 === 0x62 || c1 === 0x6f) return NaN; // x, b, o
  }
  return x;
}
