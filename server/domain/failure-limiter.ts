// Counts failed attempts per key in a sliding window; past the limit, answers how long to wait.

export interface FailureLimit {
  maxFailures: number;
  windowMs: number;
}

/**
 * Seconds until `times` (the key's failures still in the window, oldest first) leave room for one more try, or 0.
 * The rule every limiter follows, whether its failures are kept in memory or in the database.
 */
export function retryAfterSecondsOf(times: readonly number[], limit: FailureLimit, now: number): number {
  if (times.length < limit.maxFailures) return 0;
  const oldestThatCounts = times[times.length - limit.maxFailures]!;
  return Math.max(1, Math.ceil((oldestThatCounts + limit.windowMs - now) / 1000));
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limit: FailureLimit) {}

  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfterSeconds(key: string, now: number): number {
    return retryAfterSecondsOf(this.recent(key, now), this.limit, now);
  }

  /** Failures of `key` still in the window. */
  count(key: string, now: number): number {
    return this.recent(key, now).length;
  }

  fail(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
    if (this.failures.size > 100_000) this.prune(now);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const all = this.failures.get(key) ?? [];
    const from = now - this.limit.windowMs;
    return all[0] !== undefined && all[0] <= from ? all.filter((t) => t > from) : all;
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      if (times[times.length - 1]! <= now - this.limit.windowMs) this.failures.delete(key);
    }
  }
}
