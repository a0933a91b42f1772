// Column shapes shared by the PostgreSQL tables. Instants are epoch milliseconds, as in SQLite: bigint read as a
// JavaScript number (exact up to 2^53, far beyond any date the product handles).
import { bigint } from 'drizzle-orm/pg-core';

export const ms = (name: string) => bigint(name, { mode: 'number' });
