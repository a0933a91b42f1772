// PostgreSQL for the benchmarks: a server (BENCH_POSTGRES_URL or --postgres-url, a superuser URL of a server already
// running; else a throwaway cluster started the way the test suite starts one), and a generated SQLite bench database
// copied into a PostgreSQL database whose schema the project's PostgreSQL migrations made, so both databases hold
// the same rows. The copy goes through COPY … FROM STDIN (psql), secondary indexes dropped first and rebuilt after.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgres, postgresMigrationsFolder } from '../db/postgres/client.ts';
import { postgresBinaries, startThrowawayPostgres } from '../tests/support/postgres-server.ts';

export interface BenchPostgres {
  adminUrl: string;
  /** where it came from, for the report */
  source: string;
  /** the server's version string */
  version: string;
  /** the server's processes (the postmaster and its backends), when it runs on this machine and we know its pid */
  processIds(): number[];
  stop(): void;
}

/**
 * Settings of the throwaway cluster: commits do not wait for the WAL to reach the disk (the nearest to SQLite's WAL
 * with synchronous=NORMAL, which the app sets), and more shared buffers than the default 128 MB.
 */
const BENCH_SETTINGS = { fsync: 'on', synchronous_commit: 'off', shared_buffers: '512MB', max_connections: 100 };

export async function benchPostgres(argv: string[]): Promise<BenchPostgres> {
  const i = argv.indexOf('--postgres-url');
  const given = i >= 0 ? argv[i + 1] : process.env.BENCH_POSTGRES_URL;
  if (given) {
    const postmaster = await localPostmaster(given);
    return {
      adminUrl: given,
      source: `${i >= 0 ? '--postgres-url' : 'BENCH_POSTGRES_URL'}${postmaster === null ? ', not on this machine' : ''}`,
      version: await serverVersion(given),
      processIds: () => (postmaster === null ? [] : familyOf(postmaster)),
      stop: () => undefined,
    };
  }
  const cluster = await startThrowawayPostgres({ settings: BENCH_SETTINGS });
  process.once('exit', () => cluster.stop());
  return {
    adminUrl: cluster.adminUrl,
    source: `throwaway cluster (${Object.entries(BENCH_SETTINGS).map(([k, v]) => `${k}=${v}`).join(', ')})`,
    version: await serverVersion(cluster.adminUrl),
    processIds: () => familyOf(cluster.postmasterPid()),
    stop: () => cluster.stop(),
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return ((await client.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  } finally {
    await client.end();
  }
}

/** The server's main process when it runs on this machine (the parent of our backend), else null. */
async function localPostmaster(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = ((await client.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
    const parent = readStat(backend)?.ppid;
    if (parent === undefined) return null;
    return fs.readFileSync(`/proc/${parent}/comm`, 'utf8').trim() === 'postgres' ? parent : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

/** A process and its children (a postmaster's backends), from /proc. */
function familyOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === pid) children.push(Number(entry));
  }
  return [pid, ...children];
}

function readStat(pid: number): { ppid: number; cpuTicks: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may hold spaces and parentheses: the fields after it follow the last ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU time (user + system) processes have used, in microseconds; processes gone meanwhile count nothing. */
export function processCpuMicros(pids: readonly number[]): number {
  // Linux reports /proc/<pid>/stat times in USER_HZ, 100 per second on every mainstream architecture
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0) * 10_000, 0);
}

/** Measures the CPU a changing set of processes uses: call `since()` after the work. */
export function cpuMeter(pids: () => number[]) {
  const before = new Map(pids().map((pid) => [pid, processCpuMicros([pid])]));
  return {
    since(): number {
      // backends that started meanwhile count from zero
      return pids().reduce((sum, pid) => sum + processCpuMicros([pid]) - (before.get(pid) ?? 0), 0);
    },
  };
}

// ---- copying a SQLite bench database into PostgreSQL ----------------------------------------

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function migrationsHash(): string {
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(postgresMigrationsFolder, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = path.join(postgresMigrationsFolder, f);
    if (fs.statSync(full).isFile()) hash.update(f).update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 12);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface CopiedDatabase {
  name: string;
  url: string;
  reused: boolean;
  seconds: number;
  rows: Record<string, number>;
}

/**
 * A PostgreSQL database holding the rows of the SQLite file `sqliteFile` (a generated bench database), under a name
 * made of `label` and the hashes of both databases' schema versions: reused while it exists (a server given by URL
 * keeps it between runs). Its schema is the project's PostgreSQL migrations'.
 */
export async function copiedDatabase(adminUrl: string, sqliteFile: string, label: string, sqliteVersion: string, log: (line: string) => void): Promise<CopiedDatabase> {
  const name = `bench_${label}_${crypto.createHash('sha256').update(`${sqliteVersion}\u0000${migrationsHash()}`).digest('hex').slice(0, 10)}`.toLowerCase();
  const exists = await withClient(adminUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists) return { name, url: databaseUrl(adminUrl, name), reused: true, seconds: 0, rows: {} };
  const started = performance.now();
  const building = `${name}_building`;
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${building}`);
  });
  const url = databaseUrl(adminUrl, building);
  // the project's schema: its PostgreSQL migrations, through its own client
  await (await openPostgres(url, { poolSize: 1 })).close();
  const rows = await copyRows(sqliteFile, url, log);
  await withClient(adminUrl, (c) => c.query(`ALTER DATABASE ${building} RENAME TO ${name}`));
  return { name, url: databaseUrl(adminUrl, name), reused: false, seconds: (performance.now() - started) / 1000, rows };
}

/** A fresh database made from `template` (a file-level copy: fast); dropped by the returned function. */
export async function databaseFromTemplate(adminUrl: string, template: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  });
  return { url: databaseUrl(adminUrl, name), drop: () => withClient(adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))) };
}

function psqlPath(): string {
  const bin = postgresBinaries();
  if (bin && fs.existsSync(path.join(bin, 'psql'))) return path.join(bin, 'psql');
  const onPath = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).stdout.trim();
  if (!onPath) throw new Error('psql is needed to copy the bench data into PostgreSQL (Debian: apt-get install postgresql-client)');
  return onPath;
}

/** COPY's text format: tab-separated, \N for NULL, backslash escapes. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  return String(value);
}

/** Every table of the SQLite file with rows and a twin in PostgreSQL: the columns both have, by COPY. */
async function copyRows(sqliteFile: string, url: string, log: (line: string) => void): Promise<Record<string, number>> {
  const sqlite = new Database(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts: Record<string, number> = {};
  try {
    const tables = (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`).all() as { name: string }[]).map((t) => t.name);
    for (const table of tables) {
      const pgColumns = (
        await client.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [table])
      ).rows.map((r) => r.column_name);
      if (pgColumns.length === 0) continue;
      const n = (sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
      if (n === 0) continue;
      const sqliteColumns = (sqlite.pragma(`table_info("${table}")`) as { name: string }[]).map((c) => c.name);
      const missing = sqliteColumns.filter((c) => !pgColumns.includes(c));
      if (missing.length > 0) throw new Error(`${table}.${missing.join(', ')} has no PostgreSQL twin: the PostgreSQL schema is behind SQLite's`);
      const started = performance.now();
      // indexes not backing a constraint are rebuilt once after the copy, not maintained row by row
      const indexes = (
        await client.query<{ name: string; definition: string }>(
          `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = $1
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
          [table],
        )
      ).rows;
      for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
      await copyTable(sqlite, url, table, sqliteColumns);
      for (const index of indexes) await client.query(index.definition);
      // a bigserial column's sequence continues after the copied ids
      for (const column of sqliteColumns) {
        const sequence = (await client.query<{ s: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS s`, [table, column])).rows[0]!.s;
        if (sequence) await client.query(`SELECT setval($1, GREATEST((SELECT max("${column}") FROM "${table}"), 1))`, [sequence]);
      }
      await client.query(`ANALYZE "${table}"`);
      counts[table] = n;
      log(`  copied ${n.toLocaleString('en-US')} rows of ${table} into PostgreSQL (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
    sqlite.close();
  }
  return counts;
}

function copyTable(sqlite: Database.Database, url: string, table: string, columns: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const psql = spawn(psqlPath(), [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`], {
      stdio: ['pipe', 'ignore', 'pipe'],
      // tables in any order: foreign keys are not checked during the copy (SQLite checked them); needs a superuser
      env: { ...process.env, PGOPTIONS: '-c session_replication_role=replica' },
    });
    let stderr = '';
    psql.stderr.on('data', (chunk) => (stderr += String(chunk)));
    psql.once('error', reject);
    psql.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`COPY ${table}: psql exited with ${code}: ${stderr.trim()}`))));
    const rows = sqlite.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"`).raw().iterate() as IterableIterator<unknown[]>;
    const write = () => {
      let chunk = '';
      for (let next = rows.next(); !next.done; next = rows.next()) {
        chunk += next.value.map(copyField).join('\t') + '\n';
        if (chunk.length > 1 << 20) {
          const more = psql.stdin.write(chunk);
          chunk = '';
          if (!more) {
            psql.stdin.once('drain', write);
            return;
          }
        }
      }
      psql.stdin.end(chunk);
    };
    psql.stdin.on('error', reject);
    write();
  });
}

// ---- database round trips -------------------------------------------------------------------

interface Count {
  roundTrips: number;
}
const counted = new AsyncLocalStorage<Count>();
let patched = false;

/**
 * Counts the statements node-postgres pools send on behalf of one request at a time (one statement, one round trip):
 * each `pool.query` asked for in the request's async context, and each `query` on a client the request checked out
 * with `pool.connect()` (a unit of work) until it releases it. Statements are attributed where they are asked for,
 * not where the pool sends them (its queue runs them from other contexts); background work of the same process (the
 * dispatcher's and sweeper's polls, leases, the hub) is not counted. `hook` goes on the app (onRequest): the request
 * handling does not run in the context of the `inject` call that made it, so the hook puts the count into it.
 */
export function createRoundTripCounter() {
  patchPg();
  let next: Count | null = null;
  return {
    hook(_request: unknown, _reply: unknown, done: () => void): void {
      if (next) {
        counted.enterWith(next);
        next = null;
      }
      done();
    },
    /** `request` makes one request to the app the hook is on, and nothing else runs requests meanwhile */
    async count<T>(request: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
      const count: Count = { roundTrips: 0 };
      next = count;
      try {
        return { result: await counted.run(count, request), roundTrips: count.roundTrips };
      } finally {
        next = null;
      }
    },
  };
}

function patchPg(): void {
  if (patched) return;
  patched = true;
  type Method = (...args: unknown[]) => unknown;
  const pool = pg.Pool.prototype as unknown as { query: Method; connect: Method };
  const client = pg.Client.prototype as unknown as { query: Method };
  const checkedOut = new WeakMap<object, Count>();
  let insidePoolQuery = false;
  const poolQuery = pool.query;
  pool.query = function (this: unknown, ...args: unknown[]) {
    const count = counted.getStore();
    if (count) count.roundTrips++;
    // the pool's own connect for this statement is not a unit of work's checkout
    insidePoolQuery = true;
    try {
      return poolQuery.apply(this, args);
    } finally {
      insidePoolQuery = false;
    }
  };
  const poolConnect = pool.connect;
  pool.connect = function (this: unknown, ...args: unknown[]) {
    const count = counted.getStore();
    const result = poolConnect.apply(this, args);
    if (!count || insidePoolQuery || !(result instanceof Promise)) return result;
    return result.then((c: pg.PoolClient) => {
      checkedOut.set(c, count);
      const release = c.release;
      c.release = (...releaseArgs: Parameters<typeof release>) => {
        checkedOut.delete(c);
        c.release = release;
        return release.apply(c, releaseArgs);
      };
      return c;
    });
  };
  const clientQuery = client.query;
  client.query = function (this: object, ...args: unknown[]) {
    const count = checkedOut.get(this);
    if (count) count.roundTrips++;
    return clientQuery.apply(this, args);
  };
}
