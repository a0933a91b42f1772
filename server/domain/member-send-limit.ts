// How often one recipient may be messaged: sliding windows of at most `count` sends per `windowMs` (WeCom allows an
// application 30 messages a minute and 1,000 an hour to each member and drops what goes beyond).

export interface SendLimit {
  count: number;
  windowMs: number;
}

/** WeCom (企业微信) application messages, per member and application. */
export const WECOM_MEMBER_LIMITS: readonly SendLimit[] = [
  { count: 30, windowMs: 60_000 },
  { count: 1000, windowMs: 3_600_000 },
];

/**
 * The earliest instant at or after `now` (and not before the last send, so a member's messages keep their order) at
 * which one more send stays within every limit. `sent` holds the instants of earlier sends, ascending, reserved
 * future ones included.
 */
export function nextSendAt(sent: readonly number[], now: number, limits: readonly SendLimit[]): number {
  let at = Math.max(now, sent.at(-1) ?? now);
  for (const { count, windowMs } of limits) {
    // the count-th most recent send must have left the window
    if (sent.length >= count) at = Math.max(at, sent[sent.length - count]! + windowMs);
  }
  return at;
}

/** The sends that can still matter to `nextSendAt` from `now` on: those within the longest window. */
export function sendsStillCounted(sent: readonly number[], now: number, limits: readonly SendLimit[]): number[] {
  const longest = Math.max(...limits.map((l) => l.windowMs));
  return sent.filter((at) => at > now - longest);
}
