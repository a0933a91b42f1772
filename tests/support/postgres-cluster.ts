// vitest globalSetup: a throwaway PostgreSQL cluster for the PostgreSQL tests (tests/support/postgres-server.ts), in a
// temporary directory removed afterwards. JIEDIAN_TEST_PG_URL (a superuser URL of a server already running) replaces
// it. Tests take a database of their own from it with `freshPostgresDatabase()` (tests/support/postgres.ts).
import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../db/postgres/client.ts';
import { postgresBinaries, startThrowawayPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a superuser URL of the test cluster, or '' when there is none (then `postgresUnavailable` says why) */
    postgresAdminUrl: string;
    postgresUnavailable: string;
    /** a database at the current schema that `freshPostgresDatabase({ migrated: true })` copies (CREATE DATABASE … TEMPLATE) */
    postgresTemplate: string;
  }
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Migrates one database the way an instance does at start, for the tests to copy: copying it is several times faster
 * than migrating a database per test. Returns the teardown that drops it.
 */
async function provideTemplate(project: TestProject, adminUrl: string): Promise<() => Promise<void>> {
  const name = `jd_template_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), { poolSize: 1 });
  await database.close();
  project.provide('postgresTemplate', name);
  return () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void> | void) | undefined> {
  if (process.env.JIEDIAN_TEST_PG_URL) {
    project.provide('postgresAdminUrl', process.env.JIEDIAN_TEST_PG_URL);
    project.provide('postgresUnavailable', '');
    return provideTemplate(project, process.env.JIEDIAN_TEST_PG_URL);
  }
  if (!postgresBinaries()) {
    project.provide('postgresTemplate', '');
    project.provide('postgresAdminUrl', '');
    project.provide('postgresUnavailable', 'no PostgreSQL server binaries (initdb): install Debian\'s postgresql (npm test runs .ci/install-postgres) or set JIEDIAN_TEST_PG_URL');
    return undefined;
  }
  const cluster = await startThrowawayPostgres();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  project.provide('postgresUnavailable', '');
  await provideTemplate(project, cluster.adminUrl);
  return () => cluster.stop();
}
