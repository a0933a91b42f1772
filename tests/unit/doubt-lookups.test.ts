// How long a send in doubt is looked up before it may be made again, when the provider learns of a message only
// from the carrier's report (Tencent).
import { describe, expect, it } from 'vitest';
import { DOUBT_ASK_EVERY_MS, askAgainAt } from '../../server/domain/delivery-policy.ts';

describe('askAgainAt', () => {
  const since = Date.parse('2026-11-24T10:00:00+08:00');
  const wait = 10 * 60_000;

  it('asks again every DOUBT_ASK_EVERY_MS while the wait lasts, the last time when it ends', () => {
    expect(askAgainAt(since, since + 1_000, wait)).toBe(since + 1_000 + DOUBT_ASK_EVERY_MS);
    expect(askAgainAt(since, since + wait - 10_000, wait)).toBe(since + wait);
  });

  it('stops asking once the wait has passed: the send may be made again', () => {
    expect(askAgainAt(since, since + wait, wait)).toBeNull();
    expect(askAgainAt(since, since + wait + 1, wait)).toBeNull();
    expect(askAgainAt(since, since, 0)).toBeNull();
  });
});
