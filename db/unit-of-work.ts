// The one way a write reaches the database: one transaction per unit of work, queued per database, retried after a
// short wait when another connection holds SQLite's write lock, and recorded for /healthz.
//
// better-sqlite3 waits for a busy lock synchronously (busy_timeout), which blocks the event loop: the server's
// connection waits only briefly (SERVER_BUSY_TIMEOUT_MS), and a unit of work that finds the lock taken is tried again
// after a timer, with backoff, so reads and other requests run meanwhile. Writes wait in one queue per database, in
// order; a body may await its (async) stores, and nothing else runs a write transaction until it has committed.
import type Database from 'better-sqlite3';

/** How long the server's connection blocks for a busy lock before the unit of work waits asynchronously instead. */
export const SERVER_BUSY_TIMEOUT_MS = 20;

export type WriteFailureKind = 'busy' | 'full' | 'read-only' | 'io' | 'unreachable' | 'conflict';

/** PostgreSQL SQLSTATEs that mean the server refused or lost the write, not that the statement was wrong. */
const postgresFailures: Record<string, WriteFailureKind> = {
  '53300': 'busy', // too_many_connections
  '55P03': 'busy', // lock_not_available
  '53100': 'full', // disk_full
  '53200': 'full', // out_of_memory
  '25006': 'read-only', // read_only_sql_transaction: a standby, or default_transaction_read_only
  '58030': 'io', // io_error
  '57P01': 'unreachable', // admin_shutdown
  '57P02': 'unreachable', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now (starting up, in recovery)
};
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
/** node-postgres reports a lost or never-made connection as a plain Error with one of these messages */
const lostConnection = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended)/;

/**
 * Why the database refused a write (SQLite's result codes, PostgreSQL's SQLSTATEs, a connection to the PostgreSQL
 * server refused or lost), or null for an error that is not a refused write (a bug, a constraint).
 */
export function writeFailureOf(error: unknown): { kind: WriteFailureKind; code: string } | null {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const failure = failureOf(e as { code?: unknown; message?: unknown });
    if (failure) return failure;
  }
  return null;
}

function failureOf(error: { code?: unknown; message?: unknown }): { kind: WriteFailureKind; code: string } | null {
  const code = error.code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) {
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'busy', code };
      if (code === 'SQLITE_FULL') return { kind: 'full', code };
      if (code.startsWith('SQLITE_READONLY')) return { kind: 'read-only', code };
      if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return { kind: 'io', code };
      return null;
    }
    const kind = postgresFailures[code] ?? (code.startsWith('08') ? 'unreachable' : networkCodes.has(code) ? 'unreachable' : undefined);
    if (kind) return { kind, code };
    return null;
  }
  if (typeof error.message === 'string' && lostConnection.test(error.message)) return { kind: 'unreachable', code: 'connection lost' };
  return null;
}

/** PostgreSQL SQLSTATEs of a transaction aborted only because another collided with it: serialization_failure, deadlock_detected. */
const conflictCodes = new Set(['40001', '40P01']);

/**
 * The SQLSTATE when PostgreSQL aborted the transaction only because another one collided with it (run again, it
 * commits), else null. Not a refused write (`writeFailureOf`): the database is well; the unit of work retries such a
 * transaction, and once its tries run out the client is told to try again (`conflict`).
 */
export function writeConflictOf(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && conflictCodes.has(code)) return code;
  }
  return null;
}

const describeKind: Record<WriteFailureKind, string> = {
  busy: 'the database is locked by another process',
  full: 'the database or its disk is full',
  'read-only': 'the database is read-only',
  io: 'the database cannot be written (I/O error)',
  unreachable: 'the database server cannot be reached',
  conflict: 'the write collided with others writing the same rows at once',
};

export function describeWriteFailure(failure: { kind: WriteFailureKind; code: string }): string {
  return `${describeKind[failure.kind]} (${failure.code})`;
}

/** A write that could not be made now; the contract's `503 JD_UNAVAILABLE` with Retry-After. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly failure: { kind: WriteFailureKind; code: string },
    readonly retryAfterSeconds: number,
  ) {
    super(`${describeWriteFailure(failure)}; try again later`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * The outcome of the latest write, for /healthz: every unit of work, every transaction through `Database_` and the
 * dispatcher's own writes report here. A failure stands until a write succeeds.
 */
export class WriteHealth {
  #failure: { kind: WriteFailureKind; code: string; at: number } | null = null;
  ok(): void {
    this.#failure = null;
  }
  failed(error: unknown, at = Date.now()): void {
    const failure = writeFailureOf(error);
    if (failure) this.#failure = { ...failure, at };
  }
  /** null while writes succeed; otherwise why the last one failed, and since when */
  get failure(): { kind: WriteFailureKind; code: string; at: number } | null {
    return this.#failure;
  }
}

export interface UnitOfWorkOptions {
  /** the longest a unit of work waits for the lock, in all, before it gives up (DatabaseUnavailableError) */
  maxWaitMs?: number;
  /** the first wait after a busy lock; doubled each time (with jitter) up to maxDelayMs */
  firstDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Runs `work` as one write transaction. The body may be synchronous, or async awaiting nothing but its stores: a
 * body that awaits anything else (a timer, the network, another request) is rolled back with
 * UnitOfWorkAwaitError, because on SQLite every request shares the one connection and would otherwise write into,
 * or read from, the open transaction.
 */
export type UnitOfWork = <T>(work: () => T | Promise<T>) => Promise<T>;

/** A unit of work's body awaited something other than its stores; the transaction was rolled back. */
export class UnitOfWorkAwaitError extends Error {
  constructor() {
    super('a unit of work awaited something other than its stores; its transaction was rolled back');
    this.name = 'UnitOfWorkAwaitError';
  }
}

/** The SQLite connection as the unit of work needs it. */
export interface WriteConnection {
  sqlite: Database.Database;
  health: WriteHealth;
}

/**
 * `write(work)` runs `work` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK when it throws) once the writes
 * queued before it are done, so two units of work never interleave inside a transaction. A busy lock is waited for
 * asynchronously, with backoff, up to `maxWaitMs`, and the body is run again; any other refused write (a full disk,
 * a read-only file) fails at once. Both become DatabaseUnavailableError; other errors pass unchanged.
 */
export function createUnitOfWork(connection: WriteConnection, options: UnitOfWorkOptions = {}): { write: UnitOfWork; isOpen: () => boolean } {
  const { sqlite, health } = connection;
  const maxWaitMs = options.maxWaitMs ?? 5000;
  const firstDelayMs = options.firstDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 500;
  const random = options.random ?? Math.random;
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  let queue: Promise<unknown> = Promise.resolve();
  let open = false;

  const abandon = () => {
    if (sqlite.inTransaction) rollback.run();
  };

  /** One try: the transaction around the body, its outcome reported to `health`. */
  async function once<T>(work: () => T | Promise<T>): Promise<T> {
    try {
      begin.run();
    } catch (error) {
      health.failed(error);
      throw error;
    }
    open = true;
    try {
      let result = work();
      if (result instanceof Promise) {
        // Microtasks all run before the next macrotask: the body settled first unless it awaited real I/O or a timer.
        let awaitedElsewhere = false;
        const watch = setImmediate(() => (awaitedElsewhere = true));
        try {
          result = await result;
        } finally {
          clearImmediate(watch);
        }
        if (awaitedElsewhere) throw new UnitOfWorkAwaitError();
      }
      commit.run();
      open = false;
      health.ok();
      return result;
    } catch (error) {
      open = false;
      abandon();
      health.failed(error);
      throw error;
    }
  }

  async function attempt<T>(work: () => T | Promise<T>): Promise<T> {
    const started = Date.now();
    for (let tries = 0; ; tries++) {
      try {
        return await once(work);
      } catch (error) {
        const failure = writeFailureOf(error);
        if (!failure) throw error;
        const waited = Date.now() - started;
        if (failure.kind !== 'busy' || waited >= maxWaitMs) {
          throw new DatabaseUnavailableError(failure, failure.kind === 'busy' ? Math.max(1, Math.ceil(maxWaitMs / 1000)) : 30);
        }
        const ceiling = Math.min(maxDelayMs, firstDelayMs * 2 ** tries);
        const delay = Math.min(maxWaitMs - waited, Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * random())));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  const write: UnitOfWork = <T>(work: () => T | Promise<T>): Promise<T> => {
    const run = queue.then(() => attempt(work));
    queue = run.catch(() => undefined);
    return run;
  };
  return { write, isOpen: () => open };
}
