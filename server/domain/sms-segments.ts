// How many SMS segments a text occupies: GSM-7 when every character is in the GSM 03.38 alphabet, else UCS-2.

/** Longest SMS we send: a notice that needs more is shortened or refused (see notice-templates.ts). */
export const MAX_SMS_SEGMENTS = 3;

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2, an emoji counts 2) */
  units: number;
  /** 0 for an empty text */
  segments: number;
}

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Sent as ESC + character, so each takes two septets.
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
};

export function smsSegments(text: string): SmsSegmentCount {
  const chars = Array.from(text);
  const gsm7 = chars.every((c) => basic.has(c) || extension.has(c));
  const encoding: SmsEncoding = gsm7 ? 'gsm7' : 'ucs2';
  // A two-unit character (escape pair, surrogate pair) is never split across parts, so a part may hold one unit less.
  const widths = chars.map((c) => (gsm7 ? (extension.has(c) ? 2 : 1) : c.length));
  const units = widths.reduce((sum, w) => sum + w, 0);
  const { single, part } = LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > part) {
      segments++;
      used = 0;
    }
    used += w;
  }
  return { encoding, units, segments };
}
