// A limit on attempts per key in a sliding window (domain/failure-limiter.ts' rule), counted in an AttemptLog so
// that every instance on one database counts the same attempts.
import { retryAfterSecondsOf, type FailureLimit } from '../domain/failure-limiter.ts';
import type { AttemptLog } from './attempt-log.ts';

export interface WindowLimit {
  /** Seconds to wait before `key` may try again, or 0. */
  retryAfterSeconds(key: string, now: number): Promise<number>;
  /** `key`'s attempts still in the window. */
  count(key: string, now: number): Promise<number>;
  /** The distinct tags of `key`'s attempts still in the window. */
  tags(key: string, now: number): Promise<Set<string | null>>;
  /** One more attempt of `key`. */
  add(key: string, now: number, tag?: string | null): Promise<void>;
  reset(key: string): Promise<void>;
}

/** `name` keeps this limit's keys apart from other limits' in the one log. */
export function createWindowLimit(log: AttemptLog, name: string, limit: FailureLimit): WindowLimit {
  const keyOf = (key: string) => `${name}:${key}`;
  const recent = (key: string, now: number) => log.since(keyOf(key), now - limit.windowMs);
  return {
    async retryAfterSeconds(key, now) {
      return retryAfterSecondsOf((await recent(key, now)).map((a) => a.at), limit, now);
    },
    async count(key, now) {
      return (await recent(key, now)).length;
    },
    async tags(key, now) {
      return new Set((await recent(key, now)).map((a) => a.tag));
    },
    add: (key, now, tag = null) => log.add(keyOf(key), now, limit.windowMs, tag),
    reset: (key) => log.clear(keyOf(key)),
  };
}
