// Names and free text from other systems, cleaned at the boundary before they are stored, shown or texted.
//
// Decisions (one rule for every field):
// - Rejected: NUL and lone surrogates. Both mean the sender's encoding is broken, and any repair would store a name
//   nobody typed; the request is refused with a 400 naming the field, so the sender fixes it.
// - Stripped: bidirectional controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C). They are invisible and only
//   reorder what a reader sees: in a text message they can disguise a name or a number.
// - Other control characters (C0, DEL, C1): a line break is kept in free text; in a name every one becomes a space,
//   and in free text every other one does. Then a name's runs of white space fold to one space; both are trimmed.

export type TextKind = 'name' | 'text';

export type CleanedText = { ok: true; value: string } | { ok: false; problem: string };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0001-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_LINE_BREAK = /[\u0001-\u0009\u000B-\u001F\u007F-\u009F]/g;

export function cleanText(kind: TextKind, value: string): CleanedText {
  if (value.includes('\u0000')) return { ok: false, problem: 'must not contain a NUL character' };
  if (LONE_SURROGATE.test(value)) return { ok: false, problem: 'must be well-formed Unicode (it has a lone surrogate)' };
  const visible = value.replace(BIDI_CONTROLS, '');
  if (kind === 'name') {
    const name = visible.replace(CONTROLS, ' ').replace(/\s+/gu, ' ').trim();
    return name === '' ? { ok: false, problem: 'must not be blank' } : { ok: true, value: name };
  }
  return { ok: true, value: visible.replace(/\r\n?/g, '\n').replace(CONTROLS_BUT_LINE_BREAK, ' ').trim() };
}

/** Characters that show nothing: white space, zero-width ones (U+200B–200D, U+2060, U+FEFF), bidi and other controls. */
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u0000-\u001F\u007F-\u009F\uFE00-\uFE0F\u3164\u115F\u1160]/gu;

/** Whether free text says nothing a reader can see (a handling note of only spaces or zero-width characters). */
export function isBlankText(value: string): boolean {
  return value.replace(INVISIBLE, '') === '';
}
