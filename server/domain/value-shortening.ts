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

/** How long a text is to whoever enforces a limit: a reader's characters (graphemes), or what a vendor counts. */
export type LengthMeasure = (text: string) => number;

/**
 * UTF-16 code units, as the mainland SMS vendors count a template variable: each Chinese character, letter, digit,
 * punctuation mark or space is one, and a character outside the BMP (a rare CJK character such as 𠀾, an emoji) is
 * two — never fewer than its code points, so a value that fits this fits a code-point count too.
 */
export const utf16Length: LengthMeasure = (text) => text.length;

export const ELLIPSIS = '…';

/**
 * Shortens `value` to at most `max` by its kind's rule, as `measure` counts (default: graphemes); a value that fits
 * is returned unchanged.
 * - name: its first characters, then `…` (李明明明明 → 李明…); a person or a company stays recognisable.
 * - number: `…` then its last digits (YX2026-000123 → …000123); the tail is what tells numbers apart.
 * - text: its first characters, then `…`.
 * Never cuts inside a character (grapheme), so it may keep less than `max` when the next character counts for more
 * than is left. With `max` below 2 the ellipsis is dropped.
 */
export function shortenValue(kind: ValueKind, value: string, max: number, measure: LengthMeasure = displayLength): string {
  if (measure(value) <= max) return value;
  const chars = graphemes(value);
  const ellipsis = max >= 2 ? ELLIPSIS : '';
  let budget = max - measure(ellipsis);
  const kept: string[] = [];
  for (const char of kind === 'number' ? chars.reverse() : chars) {
    budget -= measure(char);
    if (budget < 0) break;
    kept.push(char);
  }
  return kind === 'number' ? ellipsis + kept.reverse().join('') : kept.join('') + ellipsis;
}
