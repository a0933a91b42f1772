import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../server/domain/failure-limiter.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-24T10:00:00+08:00');

describe('failure limiter', () => {
  it('lets a key try until it has failed maxFailures times within the window', () => {
    const limiter = new FailureLimiter({ maxFailures: 5, windowMs: 15 * MINUTE });
    for (let i = 0; i < 4; i++) {
      limiter.fail('5300123456', T0 + i * 1000);
      expect(limiter.retryAfterSeconds('5300123456', T0 + i * 1000)).toBe(0);
    }
    limiter.fail('5300123456', T0 + 4000);
    // the first failure (T0) stops counting at T0 + 15 min: from T0 + 4 s that is 900 − 4 = 896 s away
    expect(limiter.retryAfterSeconds('5300123456', T0 + 4000)).toBe(896);
  });

  it('counts each key on its own', () => {
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 15 * MINUTE });
    limiter.fail('a', T0);
    limiter.fail('a', T0);
    expect(limiter.retryAfterSeconds('a', T0)).toBeGreaterThan(0);
    expect(limiter.retryAfterSeconds('b', T0)).toBe(0);
  });

  it('lifts the limit once the oldest counting failure leaves the window', () => {
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 15 * MINUTE });
    limiter.fail('k', T0);
    limiter.fail('k', T0 + 5 * MINUTE);
    limiter.fail('k', T0 + 10 * MINUTE);
    // at T0 + 12 min all three count; the one at T0 leaves at T0 + 15 min, 3 min = 180 s later
    expect(limiter.retryAfterSeconds('k', T0 + 12 * MINUTE)).toBe(180);
    expect(limiter.retryAfterSeconds('k', T0 + 15 * MINUTE - 1)).toBe(1);
    expect(limiter.retryAfterSeconds('k', T0 + 15 * MINUTE)).toBe(0);
    // one more failure now brings it back to three in the window (T0+5, T0+10, T0+15): limited until T0+20
    limiter.fail('k', T0 + 15 * MINUTE);
    expect(limiter.retryAfterSeconds('k', T0 + 15 * MINUTE)).toBe(300);
  });

  it('never answers less than one second while limited', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 1000 });
    limiter.fail('k', T0);
    expect(limiter.retryAfterSeconds('k', T0 + 999)).toBe(1);
  });

  it('reset forgets a key\'s failures', () => {
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 15 * MINUTE });
    limiter.fail('k', T0);
    limiter.fail('k', T0);
    limiter.reset('k');
    expect(limiter.retryAfterSeconds('k', T0)).toBe(0);
    limiter.fail('k', T0);
    expect(limiter.retryAfterSeconds('k', T0)).toBe(0);
  });
});
