import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes the SQLite migrations; `npm run db:generate:postgres` the PostgreSQL ones
// (DB_DIALECT=postgres). Both schemas hold the same tables; generate both after a schema change.
const postgres = process.env.DB_DIALECT === 'postgres';

export default postgres
  ? defineConfig({ dialect: 'postgresql', schema: './db/postgres/schema/index.ts', out: './db/postgres/migrations' })
  : defineConfig({ dialect: 'sqlite', schema: './db/schema/index.ts', out: './db/migrations' });
