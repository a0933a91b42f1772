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

export async function freshPostgresDatabase(): Promise<TestPostgres> {
  const admin = adminUrl();
  const name = `jd_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
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
