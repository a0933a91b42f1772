// The PostgreSQL schema and its migrations: the same tables, columns and indexes as SQLite's; an empty database
// and one at the previous migration both reach the current schema; instances starting together migrate once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import * as sqliteSchema from '../../db/schema/index.ts';
import * as pgSchema from '../../db/postgres/schema/index.ts';
import { openPostgres, postgresMigrationsFolder } from '../../db/postgres/client.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

interface Shape {
  columns: string[];
  notNull: string[];
  primaryKey: string[];
  indexes: string[];
}

function sqliteShapes(): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const value of Object.values(sqliteSchema)) {
    if (!(value instanceof SQLiteTable)) continue;
    const c = sqliteTableConfig(value);
    shapes.set(c.name, {
      columns: c.columns.map((col) => col.name).sort(),
      notNull: c.columns.filter((col) => col.notNull).map((col) => col.name).sort(),
      primaryKey: [...c.columns.filter((col) => col.primary).map((col) => col.name), ...c.primaryKeys.flatMap((k) => k.columns.map((col) => col.name))].sort(),
      indexes: c.indexes.map((i) => i.config.name).sort(),
    });
  }
  return shapes;
}

/** Tables only several instances need (a single SQLite process keeps this in memory). */
const postgresOnly = new Set(['realtime_messages', 'limit_attempts']);
/** Columns standing in for what SQLite has without naming it: the outbox's order of writing is SQLite's rowid. */
const postgresOnlyColumns: Record<string, string[]> = { outbox: ['seq'] };

function pgShapes({ all = false } = {}): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const value of Object.values(pgSchema)) {
    if (!(value instanceof PgTable)) continue;
    if (!all && postgresOnly.has(pgTableConfig(value).name)) continue;
    const c = pgTableConfig(value);
    const twinned = c.columns.filter((col) => all || !postgresOnlyColumns[c.name]?.includes(col.name));
    shapes.set(c.name, {
      columns: twinned.map((col) => col.name).sort(),
      notNull: twinned.filter((col) => col.notNull).map((col) => col.name).sort(),
      primaryKey: [...c.columns.filter((col) => col.primary).map((col) => col.name), ...c.primaryKeys.flatMap((k) => k.columns.map((col) => col.name))].sort(),
      indexes: c.indexes.map((i) => i.config.name!).sort(),
    });
  }
  return shapes;
}

/** The live database's tables with their columns, NOT NULL columns and indexes (primary keys' own indexes left out). */
async function liveShapes(url: string): Promise<Map<string, Omit<Shape, 'primaryKey'>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const indexes = await client.query<{ tablename: string; indexname: string }>(
      `SELECT i.tablename, i.indexname FROM pg_indexes i
        WHERE i.schemaname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')`,
    );
    const shapes = new Map<string, Omit<Shape, 'primaryKey'>>();
    for (const row of columns.rows) {
      const shape = shapes.get(row.table_name) ?? { columns: [], notNull: [], indexes: [] };
      shape.columns.push(row.column_name);
      if (row.is_nullable === 'NO') shape.notNull.push(row.column_name);
      shapes.set(row.table_name, shape);
    }
    for (const row of indexes.rows) shapes.get(row.tablename)?.indexes.push(row.indexname);
    for (const shape of shapes.values()) for (const list of Object.values(shape)) list.sort();
    return shapes;
  } finally {
    await client.end();
  }
}

function expected(): Map<string, Omit<Shape, 'primaryKey'>> {
  return new Map([...pgShapes({ all: true })].map(([name, { columns, notNull, indexes }]) => [name, { columns, notNull, indexes }]));
}

async function appliedMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

const journal = JSON.parse(fs.readFileSync(path.join(postgresMigrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };

/** A copy of the migrations folder that stops before the newest migration: a database of the previous version. */
function previousMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-pg-migrations-'));
  fs.cpSync(postgresMigrationsFolder, dir, { recursive: true });
  const entries = journal.entries.slice(0, -1);
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

describe('PostgreSQL schema and migrations', () => {
  let database: TestPostgres | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('holds the same tables, columns, NOT NULLs, primary keys and indexes as the SQLite schema', () => {
    const sqlite = sqliteShapes();
    const postgres = pgShapes();
    const hint = 'a table or column added to db/schema/ needs its twin in db/postgres/schema/ and `npm run db:generate:postgres`';
    expect([...postgres.keys()].sort(), hint).toEqual([...sqlite.keys()].sort());
    for (const [name, shape] of sqlite) expect({ table: name, ...postgres.get(name) }, hint).toEqual({ table: name, ...shape });
  });

  it('migrates an empty database to the current schema', async () => {
    database = await freshPostgresDatabase();
    const opened = await openPostgres(database.url);
    await opened.close();
    expect(await liveShapes(database.url)).toEqual(expected());
    expect(await appliedMigrations(database.url)).toBe(journal.entries.length);
  });

  it('migrates a database of the previous version forward, keeping its rows', async () => {
    database = await freshPostgresDatabase();
    const old = await openPostgres(database.url, { migrationsFolder: previousMigrations() });
    const before = journal.entries.length - 1;
    if (before > 0) await old.pool.query(`INSERT INTO teams (id, name, updated_at) VALUES ('T1', '城东班', 1)`);
    await old.close();
    expect(await appliedMigrations(database.url).catch(() => 0)).toBe(before);

    const current = await openPostgres(database.url);
    if (before > 0) expect((await current.pool.query('SELECT name FROM teams')).rows).toEqual([{ name: '城东班' }]);
    await current.close();
    expect(await liveShapes(database.url)).toEqual(expected());
    expect(await appliedMigrations(database.url)).toBe(journal.entries.length);
  });

  it('migrates once when several instances start at the same moment', async () => {
    database = await freshPostgresDatabase();
    const url = database.url;
    const instances = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    await Promise.all(instances.map((i) => i.close()));
    expect(await appliedMigrations(url)).toBe(journal.entries.length);
    expect(await liveShapes(url)).toEqual(expected());
  });
});
