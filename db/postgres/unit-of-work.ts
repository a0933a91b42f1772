// The unit of work on PostgreSQL: one transaction on one pooled connection, its body handed stores bound to that
// transaction. Two instances (or two requests) may collide: a transaction PostgreSQL aborts to resolve a deadlock
// (40P01) or a serialization failure (40001) is run again from the start, a bounded number of times, after a short
// random wait so the two do not collide again in step.
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';
import { writeConflictOf, writeFailureOf } from '../unit-of-work.ts';
import type { PgDb, PgExecutor } from './client.ts';

/** how many times a transaction is tried in all before its error is passed on */
export const TRANSACTION_ATTEMPTS = 5;

/** Whether PostgreSQL aborted the transaction only because another one collided with it. */
export function isRetryableConflict(error: unknown): boolean {
  return writeConflictOf(error) !== null;
}

export interface PostgresTransactOptions {
  attempts?: number;
  /** the longest random wait before a retry */
  maxWaitMs?: number;
  /** told of each retry (logs, metrics, tests) */
  onRetry?: (attempt: number, error: unknown) => void;
}

/**
 * Each try checks a connection out of the pool itself rather than through drizzle's pool transaction, which does not
 * give the connection back when BEGIN fails (a server that went away): the pool would run dry, and closing it would
 * wait for ever. A connection lost on the way is destroyed, not returned.
 */
export function createPostgresTransact<S>(database: { pool: pg.Pool }, storesOn: (executor: PgExecutor) => S, options: PostgresTransactOptions = {}) {
  const attempts = options.attempts ?? TRANSACTION_ATTEMPTS;
  const maxWaitMs = options.maxWaitMs ?? 50;
  const onConnection = new WeakMap<pg.PoolClient, PgDb>();
  const dbOf = (client: pg.PoolClient): PgDb => {
    let db = onConnection.get(client);
    if (!db) onConnection.set(client, (db = drizzle(client, { schema }) as unknown as PgDb));
    return db;
  };
  async function once<T>(work: (stores: S) => Promise<T>): Promise<T> {
    const client = await database.pool.connect();
    let lost: Error | undefined;
    try {
      return await dbOf(client).transaction((tx) => work(storesOn(tx)));
    } catch (error) {
      if (writeFailureOf(error)?.kind === 'unreachable') lost = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(lost);
    }
  }
  return async function transact<T>(work: (stores: S) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(work);
      } catch (error) {
        if (attempt >= attempts || !isRetryableConflict(error)) throw error;
        options.onRetry?.(attempt, error);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * maxWaitMs * attempt));
      }
    }
  };
}
