// Opens the SQLite database with the project's pragmas, applies migrations, and runs transactions.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.ts';
import { createUnitOfWork, describeWriteFailure, writeFailureOf, WriteHealth, type UnitOfWork } from './unit-of-work.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database_ {
  db: Db;
  sqlite: Database.Database;
  /**
   * Runs `work` in one transaction. The body must be synchronous: better-sqlite3 commits when the function
   * returns, so an async body would commit early and never roll back (drizzle-orm #1472, #2275).
   * BEGIN IMMEDIATE: the write lock is taken at the start, waiting up to busy_timeout for another process (a CLI
   * sweep or import beside the server). A deferred transaction that read first and then wrote would instead fail at
   * once with SQLITE_BUSY whenever the other process had committed in between.
   */
  transaction<T>(work: () => T): T;
  /**
   * A transaction as a unit of work (db/unit-of-work.ts), the way the server writes: queued behind the writes before
   * it, its body may await its stores (nothing else); when another process holds the write lock, tried again after a
   * wait that does not block the event loop; still locked after `writeWaitMs`, or refused for another reason (full,
   * read-only): DatabaseUnavailableError.
   */
  write: UnitOfWork;
  /** the outcome of the latest write (/healthz) */
  health: WriteHealth;
  close(): void;
}

export interface OpenOptions {
  /**
   * How long a statement blocks the thread waiting for another connection's write lock. The server keeps this
   * short and waits asynchronously instead (db/unit-of-work.ts); a CLI command may simply block.
   */
  busyTimeoutMs?: number;
  /** how long in all a unit of work (`write`) waits for the lock before it gives up */
  writeWaitMs?: number;
}

/** SQLite caps this at its compile-time maximum (just under 2 GiB in better-sqlite3). */
const MMAP_BYTES = 2 * 1024 ** 3;
const migrationsFolder = path.resolve(import.meta.dirname, 'migrations');

export function openDatabase(file: string, options: OpenOptions = {}): Database_ {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // Reads through a memory map instead of a pread per page: ~15% less CPU per customer read on a 1M-application
  // file once it is in the OS page cache (bench/README.md). Address space only; writes still go through the WAL.
  sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  const health = new WriteHealth();
  const database: Database_ = {
    db,
    sqlite,
    health,
    transaction: (work) => {
      // it would silently become part of the open unit of work, and be rolled back with it
      if (unitOfWork.isOpen()) throw new Error('a synchronous transaction was started while a unit of work was open; write through database.write');
      try {
        const value = sqlite
          .transaction(() => {
            const result = work();
            if (result instanceof Promise) throw new Error('transaction bodies must be synchronous');
            return result;
          })
          .immediate();
        health.ok();
        return value;
      } catch (error) {
        health.failed(error);
        throw error;
      }
    },
    write: (work) => unitOfWork.write(work),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
  const unitOfWork = createUnitOfWork({ sqlite, health }, { maxWaitMs: options.writeWaitMs });
  return database;
}

/**
 * Why writes fail now, or null. A probe takes the write lock and commits nothing, which finds a lock held elsewhere
 * and a read-only file; a full disk shows only when real data is written, so the latest real write's failure counts
 * too, until a write succeeds.
 */
export function writeProblem(database: Database_): string | null {
  const { sqlite } = database;
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('COMMIT');
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    const failure = writeFailureOf(error);
    return failure ? describeWriteFailure(failure) : `database unreachable (${error instanceof Error ? error.message : String(error)})`;
  }
  const last = database.health.failure;
  return last === null ? null : `${describeWriteFailure(last)}, since ${new Date(last.at).toISOString()}`;
}
