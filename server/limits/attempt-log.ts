// The store port of attempt limits: when each key (a client guessing query codes, an account, a chat session) last
// tried, so a limit holds across every instance serving the same database. A key's attempts may carry a tag (the
// client address a wrong guess came from).
export interface Attempt {
  at: number;
  tag: string | null;
}

export interface AttemptLog {
  /** Records one attempt of `key`; its attempts older than `keepMs` before `at` may be forgotten now. */
  add(key: string, at: number, keepMs: number, tag?: string | null): Promise<void>;
  /** `key`'s attempts made after `from`, oldest first. */
  since(key: string, from: number): Promise<Attempt[]>;
  /** Forgets every attempt of `key`. */
  clear(key: string): Promise<void>;
  /** Forgets every attempt made before `at` (keys that stopped trying; a sweeper job). */
  forgetBefore(at: number): Promise<void>;
}

/** Longer than any limit's window (the longest is an hour): what the sweeper keeps of the log. */
export const ATTEMPTS_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * One process's attempts in its memory: the embedded SQLite deployment is one process, so its limits need nothing
 * shared (and start again after a restart, as they always have). Keys that stopped trying are swept out as the map
 * grows.
 */
export function createInMemoryAttemptLog(): AttemptLog {
  const attempts = new Map<string, { attempts: Attempt[]; keepMs: number }>();
  const live = (entry: { attempts: Attempt[]; keepMs: number }, now: number) => {
    const from = now - entry.keepMs;
    if (entry.attempts[0] !== undefined && entry.attempts[0].at <= from) entry.attempts = entry.attempts.filter((a) => a.at > from);
    return entry.attempts;
  };
  return {
    async add(key, at, keepMs, tag = null) {
      const entry = attempts.get(key) ?? { attempts: [], keepMs };
      entry.keepMs = Math.max(entry.keepMs, keepMs);
      const list = live(entry, at);
      let i = list.length;
      while (i > 0 && list[i - 1]!.at > at) i--;
      list.splice(i, 0, { at, tag });
      attempts.set(key, entry);
      if (attempts.size > 100_000) {
        for (const [k, e] of attempts) if (live(e, at).length === 0) attempts.delete(k);
      }
    },
    async since(key, from) {
      return (attempts.get(key)?.attempts ?? []).filter((a) => a.at > from);
    },
    async clear(key) {
      attempts.delete(key);
    },
    async forgetBefore(at) {
      for (const [key, entry] of attempts) {
        entry.attempts = entry.attempts.filter((a) => a.at >= at);
        if (entry.attempts.length === 0) attempts.delete(key);
      }
    },
  };
}
