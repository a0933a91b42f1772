import { describe, expect, it } from 'vitest';
import { nextSendAt, sendsStillCounted, WECOM_MEMBER_LIMITS } from '../../server/domain/member-send-limit.ts';

const T = Date.parse('2026-11-24T10:00:00+08:00');

/** Reserves `n` sends made at `now`, as the WeCom channel does for messages queued at the same moment. */
function reserve(n: number, now: number, sent: number[] = []): number[] {
  for (let i = 0; i < n; i++) sent.push(nextSendAt(sent, now, WECOM_MEMBER_LIMITS));
  return sent;
}

describe('per-member send limits (WeCom: 30 a minute, 1,000 an hour)', () => {
  it('lets 30 go at once and holds the 31st to 61st until the first minute has passed', () => {
    const sent = reserve(61, T);
    expect(sent.slice(0, 30).every((at) => at === T)).toBe(true);
    expect(sent.slice(30, 60).every((at) => at === T + 60_000)).toBe(true);
    expect(sent[60]).toBe(T + 120_000);
  });

  it('holds the 1,001st send of an hour until the hour since the first has passed', () => {
    const sent = reserve(1001, T);
    expect(sent[999]).toBe(T + 33 * 60_000);
    expect(sent[1000]).toBe(T + 3_600_000);
  });

  it('never schedules a member\'s message before an earlier one, and forgets sends older than an hour', () => {
    expect(nextSendAt([T + 5_000], T, WECOM_MEMBER_LIMITS)).toBe(T + 5_000);
    expect(nextSendAt([], T, WECOM_MEMBER_LIMITS)).toBe(T);
    expect(sendsStillCounted([T - 3_600_000, T - 3_599_999, T], T, WECOM_MEMBER_LIMITS)).toEqual([T - 3_599_999, T]);
  });
});
