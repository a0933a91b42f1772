// Rules that shorten a template variable's value to a length budget, always on a whole character (grapheme).
// One rule per kind of value, so an SMS, a template SMS parameter or a WeChat field is shortened the same way.

const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** The user-perceived characters of a text: an emoji with modifiers or a surrogate pair is one. */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** How many characters a value shows: counted by grapheme, as a reader (and a carrier's length check) sees them. */
export function displayLength(text: string): number {
  return graphemes(text).length;
}

export type ValueKind = 'name' | 'number' | 'text';

export const ELLIPSIS = '…';

/**
 * Shortens `value` to at most `max` characters by its kind's rule; a value that fits is returned unchanged.
 * - name: its first characters, then `…` (李明明明明 → 李明…); a person or a company stays recognisable.
 * - number: `…` then its last digits (YX2026-000123 → …000123); the tail is what tells numbers apart.
 * - text: its first characters, then `…`.
 * Never cuts inside a character. With `max` below 2 the ellipsis is dropped.
 */
export function shortenValue(kind: ValueKind, value: string, max: number): string {
  const chars = graphemes(value);
  if (chars.length <= max) return value;
  if (max <= 0) return '';
  if (max === 1) return kind === 'number' ? chars[chars.length - 1]! : chars[0]!;
  const keep = max - 1;
  return kind === 'number' ? ELLIPSIS + chars.slice(chars.length - keep).join('') : chars.slice(0, keep).join('') + ELLIPSIS;
}
