// The real app for a benchmark, on SQLite (a file) or on PostgreSQL (a URL): the same buildApp either way.
import { buildApp, type AppDeps } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
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
  /** closes the app, then its database */
  close(): Promise<void>;
}

export async function openBenchApp(target: BenchTarget, deps: Omit<AppDeps, 'config' | 'database'> = {}): Promise<BenchApp> {
  if (target.db === 'postgres') throw new Error('PostgreSQL: waits for the backend-neutral buildApp');
  const database = openDatabase(target.file);
  const app = await buildApp({ config: benchConfig(target.file), database, clock: benchClock(), logger: false, ...deps });
  return {
    app,
    async close() {
      await app.close();
      database.close();
    },
  };
}
