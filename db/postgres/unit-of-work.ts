// The unit of work on PostgreSQL: one transaction on one pooled connection, its body handed stores bound to that
// transaction. Two instances (or two requests) may collide: a transaction PostgreSQL aborts to resolve a deadlock
// (40P01) or a serialization failure (40001) is run again from the start, a bounded number of times, after a short
// random wait so the two do not collide again in step.
import type { PgDb, PgExecutor } from './client.ts';

/** how many times a transaction is tried in all before its error is passed on */
export const TRANSACTION_ATTEMPTS = 5;

const RETRYABLE = new Set(['40001', '40P01']);

/** Whether PostgreSQL aborted the transaction only because another one collided with it. */
export function isRetryableConflict(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE.has(code)) return true;
  }
  return false;
}

export interface PostgresTransactOptions {
  attempts?: number;
  /** the longest random wait before a retry */
  maxWaitMs?: number;
  /** told of each retry (logs, metrics, tests) */
  onRetry?: (attempt: number, error: unknown) => void;
}

export function createPostgresTransact<S>(db: PgDb, storesOn: (executor: PgExecutor) => S, options: PostgresTransactOptions = {}) {
  const attempts = options.attempts ?? TRANSACTION_ATTEMPTS;
  const maxWaitMs = options.maxWaitMs ?? 50;
  return async function transact<T>(work: (stores: S) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction((tx) => work(storesOn(tx)));
      } catch (error) {
        if (attempt >= attempts || !isRetryableConflict(error)) throw error;
        options.onRetry?.(attempt, error);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * maxWaitMs * attempt));
      }
    }
  };
}
