// Signed, expiring tokens (customer view tokens, staff sessions): checked by HMAC alone, no database round trip.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedTokens<T> {
  issue(claims: T, expiresAt: number): string;
  /** the claims, or null when the token is malformed, forged or expired */
  verify(token: string, now: number): T | null;
  /** as verify, with the instant the token expires (live subscriptions end then) */
  open(token: string, now: number): { claims: T; expiresAt: number } | null;
}

export function createSignedTokens<T>(secret: string, purpose: string): SignedTokens<T> {
  const key = createHmac('sha256', secret).update(`jiedian-token:${purpose}`).digest();
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  const tokens: SignedTokens<T> = {
    issue(claims, expiresAt) {
      const payload = Buffer.from(JSON.stringify({ c: claims, e: expiresAt })).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    verify: (token, now) => tokens.open(token, now)?.claims ?? null,
    open(token, now) {
      const dot = token.indexOf('.');
      if (dot <= 0) return null;
      const payload = token.slice(0, dot);
      // Compared as the issued text, not as decoded bytes: base64url decoding skips junk and ignores the last
      // character's unused bits, so several spellings would decode to the same signature.
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(sign(payload));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const { c, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { c: T; e: number };
        return typeof e === 'number' && e > now ? { claims: c, expiresAt: e } : null;
      } catch {
        return null;
      }
    },
  };
  return tokens;
}
