// A PostgreSQL database of a test's own on the test cluster (tests/support/postgres-cluster.ts), dropped afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestPostgres {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error(inject('postgresUnavailable'));
  return url;
}

/**
 * An empty database, or with `migrated` a copy of the suite's database at the current schema (the app then finds
 * every migration applied, as an instance does after the first).
 */
export async function freshPostgresDatabase(options: { migrated?: boolean } = {}): Promise<TestPostgres> {
  const admin = adminUrl();
  const name = `jd_${crypto.randomBytes(6).toString('hex')}`;
  const template = options.migrated ? inject('postgresTemplate') : '';
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Whether a statement on this pool's database waits for a lock another transaction holds. */
export async function someoneWaitsForALock(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()',
  );
  return rows[0]!.n > 0;
}

/** Resolves once a statement on this pool's database waits for a lock (polling until `stop()` says to give up). */
export async function untilWaitingForALock(pool: pg.Pool, stop: () => boolean = () => false): Promise<void> {
  while (!stop() && !(await someoneWaitsForALock(pool))) await new Promise((resolve) => setTimeout(resolve, 5));
}
