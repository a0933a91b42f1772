// Opens the PostgreSQL database (DATABASE_URL) through a node-postgres pool and applies the PostgreSQL migrations
// (db/postgres/migrations, drizzle-kit output) under an advisory lock, so instances starting together migrate once.
import path from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from './schema/index.ts';

export type PgDb = NodePgDatabase<typeof schema>;
/** the pool or one transaction: what a store's statements run on */
export type PgExecutor = PgDatabase<NodePgQueryResultHKT, typeof schema>;

export interface PostgresDatabase {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface PostgresOptions {
  /** connections in the pool (DATABASE_POOL_SIZE) */
  poolSize?: number;
  /** another migrations folder (tests migrate to an earlier point this way) */
  migrationsFolder?: string;
}

export const postgresMigrationsFolder = path.resolve(import.meta.dirname, 'migrations');

/**
 * The advisory lock key every Jiedian instance takes while it migrates: any fixed 64-bit number, the same in every
 * version (here the bytes of "jiedian\0").
 */
export const MIGRATION_LOCK_KEY = 0x6a69656469616e00n;

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // an idle client's connection dropping (a server restart) is reported here; without a listener it would end the process
  pool.on('error', () => undefined);
  // pg-pool listens for a client's errors only while it is idle: a connection lost while a client is checked out
  // (a transaction, a query in flight) is an 'error' event nobody listens to, which would end the process. The
  // statement in flight fails with the same error, and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await migrateUnderLock(pool, options.migrationsFolder ?? postgresMigrationsFolder);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() };
}

/**
 * Session-level advisory lock on one connection for the whole migration: a second instance blocks in
 * pg_advisory_lock until the first has committed, then finds every migration applied and does nothing.
 */
async function migrateUnderLock(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}
