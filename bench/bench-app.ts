// The real app for a benchmark, on SQLite (a file) or on PostgreSQL (a URL): the same buildApp either way.
import pg from 'pg';
import { buildApp, type AppDeps } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
import { createSqliteBackend } from '../db/sqlite/backend.ts';
import { openPostgresBackend } from '../db/postgres/backend.ts';
import { benchClock, benchConfig } from './common.ts';

export type BenchDb = 'sqlite' | 'postgres';

/** `--db sqlite|postgres` (default sqlite) */
export function dbFlag(argv: string[]): BenchDb {
  const i = argv.indexOf('--db');
  if (i < 0) return 'sqlite';
  const value = argv[i + 1];
  if (value !== 'sqlite' && value !== 'postgres') throw new Error(`--db must be sqlite or postgres, got "${value}"`);
  return value;
}

export type BenchTarget = { db: 'sqlite'; file: string } | { db: 'postgres'; url: string };

export interface BenchApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  /** rows in a table of the app's database (0 when it has no such table) */
  count(table: string): Promise<number>;
  /** closes the app, then its database */
  close(): Promise<void>;
}

export interface BenchAppOptions extends Omit<AppDeps, 'config' | 'database' | 'backend'> {
  /** experiments only: pragmas set on the SQLite connection after it is opened (not what db/client.ts sets) */
  sqlitePragmas?: string[];
}

export async function openBenchApp(target: BenchTarget, options: BenchAppOptions = {}): Promise<BenchApp> {
  const { sqlitePragmas = [], ...deps } = options;
  if (target.db === 'postgres') {
    const backend = await openPostgresBackend({ url: target.url, onError: (error) => console.error('bench: a background database connection failed:', error) });
    const app = await buildApp({ config: benchConfig(null, { DATABASE_URL: target.url }), backend, clock: benchClock(), logger: false, ...deps });
    return {
      app,
      count: (table) => countPostgresRows(target.url, table),
      async close() {
        await app.close();
        await backend.close();
      },
    };
  }
  const database = openDatabase(target.file);
  for (const pragma of sqlitePragmas) database.sqlite.pragma(pragma);
  const backend = createSqliteBackend(database);
  const app = await buildApp({ config: benchConfig(target.file), backend, clock: benchClock(), logger: false, ...deps });
  return {
    app,
    async count(table) {
      const exists = database.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table);
      return exists ? (database.sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n : 0;
    },
    async close() {
      await app.close();
      await backend.close();
    },
  };
}

/** rows in a PostgreSQL table (0 when there is no such table) */
export async function countPostgresRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string | null }>(`SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 0 END AS n`, [table]);
    if (rows[0]!.n === null) return 0;
    return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
  } finally {
    await client.end();
  }
}
