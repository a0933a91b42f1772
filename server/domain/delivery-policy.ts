// When an outbox row may be sent: quiet hours for customers' SMS, retries with backoff and jitter.
import type { QuietHours } from '../config.ts';
import { addDays, calendarDateOf, startOfDay, zoneOffsetMs } from './dates.ts';

export const MAX_DELIVERY_ATTEMPTS = 6;
const RETRY_BASE_MS = 2_000;
const RETRY_CAP_MS = 10 * 60_000;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** Minutes after local midnight at `ms`. */
export function localMinuteOfDay(ms: number, timeZone: string): number {
  const local = ms + zoneOffsetMs(ms, timeZone);
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / MINUTE_MS);
}

export function isInQuietHours(ms: number, quiet: QuietHours, timeZone: string): boolean {
  const minute = localMinuteOfDay(ms, timeZone);
  if (quiet.start === quiet.end) return false;
  return quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
}

/** Quiet hours hold non-urgent SMS to customers (DOMAIN.md "Notices"); urgent ones, WeChat and staff SMS go at once. */
export function heldByQuietHours(notice: { channel: string; recipientKind: string; urgent: boolean }): boolean {
  return notice.channel === 'sms' && notice.recipientKind === 'customer' && !notice.urgent;
}

/** The instant a non-urgent message written at `now` may go out: now, or the end of the quiet window it falls in. */
export function releaseAfterQuietHours(now: number, quiet: QuietHours | null, timeZone: string): number {
  if (!quiet || !isInQuietHours(now, quiet, timeZone)) return now;
  const today = calendarDateOf(now, timeZone);
  const minute = localMinuteOfDay(now, timeZone);
  const endDay = quiet.start > quiet.end && minute >= quiet.start ? addDays(today, 1) : today;
  return startOfDay(endDay, timeZone) + (quiet.end % DAY_MINUTES) * MINUTE_MS;
}

/** How often a send in doubt is looked up again while its provider cannot tell yet whether it has it. */
export const DOUBT_ASK_EVERY_MS = 30_000;

/**
 * When a provider that learns of a message only from the carrier's status report has none yet for a send in doubt
 * since `inDoubtSince`: the time to ask again, or null once `waitMs` has passed without a report (the send did not
 * reach the provider, and may be made again).
 */
export function askAgainAt(inDoubtSince: number, now: number, waitMs: number): number | null {
  const end = inDoubtSince + waitMs;
  return now >= end ? null : Math.min(end, now + DOUBT_ASK_EVERY_MS);
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed attempts: exponential with full jitter
 * (`random` in [0, 1)), so retries from many rows do not arrive at the provider together.
 */
export function retryDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(RETRY_BASE_MS / 2, Math.floor(ceiling * random));
}
