// Carriers' per-number limits: how long a message waits so that it breaks none.
import { describe, expect, it } from 'vitest';
import { carrierLimitRetryAt, limitLookbackMs, smsLimitWaitMs, type SmsLimits } from '../../server/domain/sms-limits.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const aliyun: SmsLimits = { verification: [{ max: 1, windowMs: MIN }, { max: 5, windowMs: HOUR }, { max: 10, windowMs: DAY }], templatePerDay: 50, sameContentMs: 0 };
const tencent: SmsLimits = { ...aliyun, templatePerDay: 0, sameContentMs: 30_000 };
const now = 10 * DAY;
const code = (at: number, text = `验证码${at}`) => ({ at, noticeKind: 'bind_code', text });

describe('smsLimitWaitMs', () => {
  it('lets a binding code go when none went in the last minute, else waits for the minute to pass', () => {
    const next = { noticeKind: 'bind_code', text: '验证码1' };
    expect(smsLimitWaitMs(aliyun, next, [code(now - MIN - 1)], now)).toBe(0);
    expect(smsLimitWaitMs(aliyun, next, [code(now - 20_000)], now)).toBe(40_000);
  });

  it('holds the sixth binding code of an hour and the eleventh of a day until the oldest leaves the window', () => {
    const next = { noticeKind: 'bind_code', text: 'x' };
    const hour = [50, 40, 30, 20, 10].map((m) => code(now - m * MIN));
    expect(smsLimitWaitMs(aliyun, next, hour, now)).toBe(10 * MIN);
    const day = Array.from({ length: 10 }, (_, i) => code(now - (i + 2) * HOUR));
    expect(smsLimitWaitMs(aliyun, next, day, now)).toBe(DAY - 11 * HOUR);
  });

  it('counts only verification texts against verification limits, and the same kind against the daily template limit', () => {
    const notices = Array.from({ length: 50 }, (_, i) => ({ at: now - (i + 1) * MIN, noticeKind: 'step_started', text: `t${i}` }));
    expect(smsLimitWaitMs(aliyun, { noticeKind: 'bind_code', text: 'c' }, notices, now)).toBe(0);
    expect(smsLimitWaitMs(aliyun, { noticeKind: 'plan_changed', text: 'p' }, notices, now)).toBe(0);
    expect(smsLimitWaitMs(aliyun, { noticeKind: 'step_started', text: 'new' }, notices, now)).toBe(DAY - 50 * MIN);
  });

  it('holds the same text to a number for 30 seconds at Tencent, another text not', () => {
    const recent = [{ at: now - 10_000, noticeKind: 'step_started', text: '同一内容' }];
    expect(smsLimitWaitMs(tencent, { noticeKind: 'step_started', text: '同一内容' }, recent, now)).toBe(20_000);
    expect(smsLimitWaitMs(tencent, { noticeKind: 'step_started', text: '另一内容' }, recent, now)).toBe(0);
    expect(smsLimitWaitMs(aliyun, { noticeKind: 'step_started', text: '同一内容' }, recent, now)).toBe(0);
  });

  it('looks back as far as the longest window', () => {
    expect(limitLookbackMs(aliyun)).toBe(DAY);
    expect(limitLookbackMs({ verification: [], templatePerDay: 0, sameContentMs: 30_000 })).toBe(30_000);
  });
});

describe('carrierLimitRetryAt', () => {
  it('puts a daily limit off to the next midnight in Beijing, whatever the hour, and a shorter one by its window', () => {
    expect(carrierLimitRetryAt('day', Date.parse('2026-11-24T23:59:00+08:00'))).toBe(Date.parse('2026-11-25T00:00:00+08:00'));
    // 00:30 Beijing is still the previous day in UTC: the Beijing day counts
    expect(carrierLimitRetryAt('day', Date.parse('2026-11-24T16:30:00Z'))).toBe(Date.parse('2026-11-26T00:00:00+08:00'));
    const at = Date.parse('2026-11-24T10:00:00+08:00');
    expect(carrierLimitRetryAt('thirty_seconds', at)).toBe(at + 30_000);
    expect(carrierLimitRetryAt('minute', at)).toBe(at + MIN);
    expect(carrierLimitRetryAt('hour', at)).toBe(at + HOUR);
  });
});
