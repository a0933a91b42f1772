// vitest globalSetup: a throwaway PostgreSQL cluster for the PostgreSQL tests (tests/support/postgres-server.ts), in a
// temporary directory removed afterwards. JIEDIAN_TEST_PG_URL (a superuser URL of a server already running) replaces
// it. Tests take a database of their own from it with `freshPostgresDatabase()` (tests/support/postgres.ts).
import type { TestProject } from 'vitest/node';
import { postgresBinaries, startThrowawayPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a superuser URL of the test cluster, or '' when there is none (then `postgresUnavailable` says why) */
    postgresAdminUrl: string;
    postgresUnavailable: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.JIEDIAN_TEST_PG_URL) {
    project.provide('postgresAdminUrl', process.env.JIEDIAN_TEST_PG_URL);
    project.provide('postgresUnavailable', '');
    return undefined;
  }
  if (!postgresBinaries()) {
    project.provide('postgresAdminUrl', '');
    project.provide('postgresUnavailable', 'no PostgreSQL server binaries (initdb): install Debian\'s postgresql (npm test runs .ci/install-postgres) or set JIEDIAN_TEST_PG_URL');
    return undefined;
  }
  const cluster = await startThrowawayPostgres();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  project.provide('postgresUnavailable', '');
  return () => cluster.stop();
}
