// Any number of instances on one PostgreSQL database: the pool and its migrations (db/postgres/client.ts), the store
// ports, an outbox claimed with SKIP LOCKED under a lease, advisory-lock leases for the one-at-a-time work, and the
// LISTEN/NOTIFY hub that carries live updates and cache invalidations to every instance.
import { LEASE_NAMES, type Leases } from '../../server/lease.ts';
import type { Backend } from '../../server/backend.ts';
import type { Transact } from '../../server/stores.ts';
import { createPostgresHub } from '../../server/realtime/postgres-hub.ts';
import { WriteHealth, describeWriteFailure, writeFailureOf } from '../unit-of-work.ts';
import { openPostgres, type PostgresDatabase } from './client.ts';
import { createPostgresStores } from './stores.ts';
import { createPostgresDeliveryQueue } from './delivery-queue.ts';
import { createLease } from './lease.ts';

export interface PostgresBackendOptions {
  url: string;
  poolSize?: number;
  /** how long an outbox row claimed by an instance that stopped answering waits before another sends it */
  claimLeaseMs?: number;
  /** how often an instance without a lease tries to take it over */
  leaseRetryMs?: number;
  /** a background connection's failure (a lease's, the hub's, a claim renewal's): logged, then retried */
  onError?: (error: unknown) => void;
  /** another migrations folder (tests) */
  migrationsFolder?: string;
}

export async function openPostgresBackend(options: PostgresBackendOptions): Promise<Backend & { database: PostgresDatabase }> {
  const onError = options.onError ?? (() => undefined);
  const database = await openPostgres(options.url, { poolSize: options.poolSize, migrationsFolder: options.migrationsFolder });
  const { stores, transact: inner, attempts } = createPostgresStores(database);
  const health = new WriteHealth();
  // /healthz tells a lost server from a working one by the latest write, as on SQLite
  const transact: Transact = async (work) => {
    try {
      const result = await inner(work);
      health.ok();
      return result;
    } catch (error) {
      health.failed(error);
      throw error;
    }
  };
  const deliveries = createPostgresDeliveryQueue(database, { claimLeaseMs: options.claimLeaseMs, onError });
  const leaseOf = (name: string) => createLease({ url: options.url, name, retryMs: options.leaseRetryMs, onError });
  const leases: Leases = { sweeper: leaseOf(LEASE_NAMES.sweeper), wechatBot: leaseOf(LEASE_NAMES.wechatBot) };
  const hub = createPostgresHub({ url: options.url, onError });
  await hub.ready;
  return {
    kind: 'postgres',
    database,
    stores,
    transact,
    deliveries,
    attempts,
    leases,
    hub,
    health,
    async writeProblem() {
      try {
        const { rows } = await database.pool.query<{ standby: boolean; readOnly: string }>(
          `SELECT pg_is_in_recovery() AS standby, current_setting('default_transaction_read_only') AS "readOnly"`,
        );
        if (rows[0]?.standby) return 'the database is read-only (a standby server in recovery)';
        if (rows[0]?.readOnly === 'on') return 'the database is read-only (default_transaction_read_only)';
        // the server answers again: a failure that was only its absence is over (a full disk or a lock is not)
        if (health.failure?.kind === 'unreachable') health.ok();
      } catch (error) {
        const failure = writeFailureOf(error);
        return failure ? describeWriteFailure(failure) : `database unreachable (${error instanceof Error ? error.message : String(error)})`;
      }
      const last = health.failure;
      return last === null ? null : `${describeWriteFailure(last)}, since ${new Date(last.at).toISOString()}`;
    },
    committedAlerts: null,
    async close() {
      deliveries.close();
      await Promise.all([leases.sweeper.close(), leases.wechatBot.close(), hub.close()]);
      await database.close();
    },
  };
}
