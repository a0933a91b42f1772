// Work that must run on one instance at a time (the time-limit sweep, the daily plan refresh, the weekly digest,
// the Wechaty bot): a PostgreSQL session advisory lock held on a dedicated connection. An instance that dies closes
// its connection and the lock is free at once; the others try again every `retryMs` and one takes over.
import crypto from 'node:crypto';
import pg from 'pg';
import type { Lease } from '../../server/lease.ts';

export type { Lease };

export interface LeaseOptions {
  url: string;
  name: string;
  /** how often a waiting instance tries to take the lease, and a holder checks its connection */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

/** The lock key: the first 8 bytes of SHA-256 of the name, as PostgreSQL's signed bigint. */
export function leaseKey(name: string): string {
  return crypto.createHash('sha256').update(`jiedian-lease:${name}`).digest().readBigInt64BE(0).toString();
}

export function createLease(options: LeaseOptions): Lease {
  const retryMs = options.retryMs ?? 2000;
  const onError = options.onError ?? (() => {});
  const key = leaseKey(options.name);
  const listeners = new Set<(held: boolean) => void>();
  let client: pg.Client | undefined;
  let holding = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  function set(next: boolean): void {
    if (next === holding) return;
    holding = next;
    for (const listener of listeners) listener(next);
  }

  function lost(target: pg.Client): void {
    if (client !== target) return;
    client = undefined;
    set(false);
    void target.end().catch(() => undefined);
  }

  async function tick(): Promise<void> {
    try {
      if (!client) {
        const next = new pg.Client({ connectionString: options.url, keepAlive: true });
        next.on('error', (error) => {
          onError(error);
          lost(next);
        });
        next.on('end', () => lost(next));
        await next.connect();
        client = next;
      }
      const target = client;
      if (holding) {
        await target.query('SELECT 1');
      } else {
        const { rows } = await target.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        if (client === target && rows[0]?.ok) set(true);
      }
    } catch (error) {
      onError(error);
      if (client) lost(client);
    } finally {
      if (!closed) timer = setTimeout(() => void tick(), retryMs);
    }
  }

  void tick();

  return {
    name: options.name,
    held: () => holding,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      set(false);
      // ending the session releases its advisory locks
      await last?.end().catch(() => undefined);
    },
  };
}
