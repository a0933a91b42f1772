// Work one instance does at a time (the sweeper's timed jobs, the Wechaty bot's session): a lease, held by one of
// the instances sharing a database and taken over by another when its holder stops. On SQLite the one process always
// holds it (db/sqlite/lease.ts); on PostgreSQL it is an advisory lock (db/postgres/lease.ts).
export interface Lease {
  readonly name: string;
  /** whether this instance holds the lease now */
  held(): boolean;
  /** called with true when this instance takes the lease and false when it loses it; returns the unsubscribe */
  onChange(listener: (held: boolean) => void): () => void;
  close(): Promise<void>;
}

/** The leases an instance contends for. */
export interface Leases {
  /** the sweeper's timed jobs: time-limit sweep, plan refresh, hurry escalation, weekly digest, risk jobs */
  sweeper: Lease;
  /** the Wechaty bot: one WeChat session per account */
  wechatBot: Lease;
}

export const LEASE_NAMES = { sweeper: 'sweeper', wechatBot: 'wechat-bot' } as const satisfies Record<keyof Leases, string>;

/**
 * Runs `start` whenever this instance takes the lease and `stop` when it loses it (and on the returned stop), one
 * transition at a time.
 */
export function whileHeld(lease: Lease, start: () => Promise<void> | void, stop: () => Promise<void> | void, onError: (error: unknown) => void): () => Promise<void> {
  let running = false;
  let chain: Promise<void> = Promise.resolve();
  const to = (next: boolean) => {
    chain = chain.then(async () => {
      if (next === running) return;
      try {
        if (next) await start();
        else await stop();
        running = next;
      } catch (error) {
        onError(error);
      }
    });
    return chain;
  };
  const off = lease.onChange((held) => void to(held));
  if (lease.held()) void to(true);
  return async () => {
    off();
    await to(false);
  };
}
