// Carriers' per-number limits on SMS, checked before a send: how long a message must wait so that sending it
// breaks none of them. A message that would break one waits; it never fails for it.
import { addDays, calendarDateOf, startOfDay } from './dates.ts';


export interface SmsLimits {
  /** verification texts (VERIFICATION_NOTICE_KINDS) per number: at most `max` in any `windowMs` */
  verification: { max: number; windowMs: number }[];
  /** the same template to one number in any 24 hours; 0: no limit */
  templatePerDay: number;
  /** the same content to one number at most once in this many ms; 0: no limit */
  sameContentMs: number;
}

/** Notice kinds the carriers count as verification texts (验证码). */
export const VERIFICATION_NOTICE_KINDS: readonly string[] = ['bind_code'];

const DAY_MS = 24 * 60 * 60 * 1000;

/** An SMS as the carrier sees it. */
export interface SmsMessage {
  noticeKind: string;
  /** the template it goes out as (a template SMS's registered code); absent: its notice kind stands for it */
  template?: string;
  /** what the carrier compares as the same content: the text, or a template SMS's code and filled-in text */
  text: string;
}

export interface SmsSend extends SmsMessage {
  /** when it was handed to the provider (epoch ms) */
  at: number;
}

const templateOf = (message: SmsMessage) => message.template ?? message.noticeKind;

/** How far back sends matter for these limits. */
export function limitLookbackMs(limits: SmsLimits): number {
  return Math.max(limits.templatePerDay > 0 ? DAY_MS : 0, limits.sameContentMs, ...limits.verification.map((l) => l.windowMs));
}

/** Milliseconds from `now` until at most `max - 1` of `times` lie in the window, i.e. one more may go. */
function waitForWindow(times: number[], max: number, windowMs: number, now: number): number {
  const inWindow = times.filter((t) => t > now - windowMs).sort((a, b) => a - b);
  if (inWindow.length < max) return 0;
  return inWindow[inWindow.length - max]! + windowMs - now;
}

/** 0 when `next` may go to the number now; else how long it must wait, given the number's recent sends. */
export function smsLimitWaitMs(limits: SmsLimits, next: SmsMessage, recent: SmsSend[], now: number): number {
  const waits = [0];
  if (VERIFICATION_NOTICE_KINDS.includes(next.noticeKind)) {
    const times = recent.filter((s) => VERIFICATION_NOTICE_KINDS.includes(s.noticeKind)).map((s) => s.at);
    for (const { max, windowMs } of limits.verification) waits.push(waitForWindow(times, max, windowMs, now));
  }
  if (limits.templatePerDay > 0) {
    const template = templateOf(next);
    waits.push(waitForWindow(recent.filter((s) => templateOf(s) === template).map((s) => s.at), limits.templatePerDay, DAY_MS, now));
  }
  if (limits.sameContentMs > 0) {
    waits.push(waitForWindow(recent.filter((s) => s.text === next.text).map((s) => s.at), 1, limits.sameContentMs, now));
  }
  return Math.max(...waits);
}

/** The window of a carrier limit a provider said a message broke (Aliyun's flow control, Tencent's LimitExceeded.*). */
export type CarrierLimitWindow = 'thirty_seconds' | 'minute' | 'hour' | 'day';

const WINDOW_MS: Record<Exclude<CarrierLimitWindow, 'day'>, number> = { thirty_seconds: 30_000, minute: 60_000, hour: 3_600_000 };
/** Carriers count their daily limits by the calendar day in Beijing. */
const CARRIER_TIME_ZONE = 'Asia/Shanghai';

/**
 * When a message the carrier refused for a limit may be tried again: the next Beijing midnight for a daily limit;
 * for a shorter one a whole window from now (the carrier's windows roll, so the send that filled one is within the
 * last window at most).
 */
export function carrierLimitRetryAt(window: CarrierLimitWindow, now: number): number {
  if (window === 'day') return startOfDay(addDays(calendarDateOf(now, CARRIER_TIME_ZONE), 1), CARRIER_TIME_ZONE);
  return now + WINDOW_MS[window];
}
