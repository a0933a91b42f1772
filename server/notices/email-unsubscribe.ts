// Signed unsubscribe links (退订) for e-mail notices: the link names the address, and only the server can make one.
import { createSignedTokens } from '../shared/signed-tokens.ts';
import type { Stores, Transact } from '../stores.ts';

/** An e-mail may be read long after it was sent: its link keeps working for a year. */
export const UNSUBSCRIBE_LINK_DAYS = 365;

export const UNSUBSCRIBE_PATH = '/unsubscribe/email';

export function createEmailUnsubscribe(options: { secret: string; publicUrl: string; stores: Pick<Stores, 'outbox'>; transact: Transact }) {
  const tokens = createSignedTokens<{ a: string }>(options.secret, 'email-unsubscribe');
  return {
    /** The link for `address`, as put in the e-mail and its List-Unsubscribe header. */
    link(address: string, now: number): string {
      const token = tokens.issue({ a: address }, now + UNSUBSCRIBE_LINK_DAYS * 86_400_000);
      return `${options.publicUrl}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
    },
    /** The address a link's token was made for; null when it is forged, malformed or expired. */
    addressOf(token: string, now: number): string | null {
      const claims = tokens.verify(token, now);
      return claims && typeof claims.a === 'string' ? claims.a : null;
    },
    isOptedOut: (address: string) => options.stores.outbox.isOptedOut('email', address),
    /** The address gets no more e-mail notices (an earlier opt-out is kept as it was). */
    optOut: (address: string, now: number) => options.transact(({ outbox }) => outbox.optOut('email', address, now, 'email:unsubscribe-link')),
  };
}

export type EmailUnsubscribe = ReturnType<typeof createEmailUnsubscribe>;
