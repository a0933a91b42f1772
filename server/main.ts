// Entry point: configuration, database, listen, graceful shutdown.
import { buildApp } from './app.ts';
import { redactedLogPaths } from './http-server.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database_ } from '../db/client.ts';
import { createSqliteBackend } from '../db/sqlite/backend.ts';
import { openPostgresBackend } from '../db/postgres/backend.ts';
import type { Backend } from './backend.ts';
import { SERVER_BUSY_TIMEOUT_MS, describeWriteFailure, writeFailureOf } from '../db/unit-of-work.ts';
import { loadReferenceData } from './shared/reference-data.ts';
import { SmsTemplateMapError } from '../channels/sms-template-maps.ts';
import type { Clock } from './shared/clock.ts';

/** The database could not be opened or migrated at start: said in one line, without a stack trace. */
export class DatabaseOpenError extends Error {
  /** `where`: the variable naming the database, as the operator set it (DATABASE_PATH=…, or DATABASE_URL without its password) */
  constructor(where: string, cause: unknown) {
    const failure = writeFailureOf(cause);
    const reason = failure ? describeWriteFailure(failure) : cause instanceof Error ? cause.message : String(cause);
    super(`cannot open the database ${where}: ${reason}`);
    this.name = 'DatabaseOpenError';
  }
}

/** DATABASE_URL with its password hidden: what a log line or an error may show. */
export function redactedDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** The database the configuration names: PostgreSQL when DATABASE_URL is set, else the SQLite file (returned too). */
export async function openBackend(config: Config, onError: (error: unknown) => void): Promise<{ backend: Backend; sqlite: Database_ | null }> {
  if (config.postgres) {
    const { url, poolSize, claimLeaseMs, leaseRetryMs } = config.postgres;
    try {
      return { backend: await openPostgresBackend({ url, poolSize, claimLeaseMs, leaseRetryMs, onError }), sqlite: null };
    } catch (error) {
      throw new DatabaseOpenError(`DATABASE_URL=${redactedDatabaseUrl(url)}`, error);
    }
  }
  let sqlite: Database_;
  try {
    // the server's connection blocks only briefly for another process's lock: its writes wait as units of work
    sqlite = openDatabase(config.databasePath, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new DatabaseOpenError(`DATABASE_PATH=${config.databasePath}`, error);
  }
  return { backend: createSqliteBackend(sqlite), sqlite };
}

/** A start-up failure an operator fixes (configuration, template map, database) in one line and its exit code; null for a bug. */
export function startupFailure(error: unknown): { line: string; exitCode: number } | null {
  if (error instanceof ConfigError) return { line: `jiedian: configuration error: ${error.message}`, exitCode: 2 };
  if (error instanceof SmsTemplateMapError) {
    const problems = error.problems.map((p) => `${p.where} ${p.message}`.replace(/\s*\n\s*/g, ' '));
    return { line: `jiedian: template SMS map error: ${error.file}: ${problems.join('; ')} (npm run jiedian -- templates:check shows them all)`, exitCode: 2 };
  }
  if (error instanceof DatabaseOpenError) return { line: `jiedian: ${error.message}`, exitCode: 3 };
  return null;
}

/** `clock`: another clock than the system's (benchmarks on generated data dated on their own day) */
export async function startServer(config: Config, options: { pretty?: boolean; clock?: Clock } = {}) {
  const reference = loadReferenceData(config);
  // background connections (leases, the hub, claim renewals) reconnect by themselves; until the app's logger exists
  // their failures go to stderr
  let logBackground = (error: unknown) => console.error('jiedian: database connection:', error instanceof Error ? error.message : error);
  const { backend, sqlite } = await openBackend(config, (error) => logBackground(error));
  const app = await buildApp({
    config,
    backend,
    reference,
    clock: options.clock,
    logger: { level: config.logLevel, redact: { paths: redactedLogPaths, censor: '[redacted]' } },
  });
  logBackground = (error) => app.log.warn({ err: error }, 'a background database connection failed; it reconnects by itself');
  app.log.info(
    { database: backend.kind, ...(config.postgres ? { url: redactedDatabaseUrl(config.postgres.url) } : { path: config.databasePath }) },
    `database: ${backend.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}`,
  );
  const provisional = reference.calendar.provisionalYears();
  if (provisional.length > 0) {
    app.log.warn(
      { years: provisional },
      `working-day calendar: ${provisional.join(', ')} use statutory holidays only (official schedule not published yet); add it to CALENDAR_PATH when it is`,
    );
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // app.close() stops accepting connections and waits for in-flight requests before its onClose hooks run.
    app
      .close()
      .then(() => backend.close())
      .then(() => process.exit(0))
      .catch((error) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // A refused database write that escaped every handler (a locked, full or read-only database) is logged and the
  // process keeps serving: reads still work, writes answer 503, and /healthz says why until writes succeed again.
  // Anything else leaves the process in a state nobody planned for: logged, and the process exits for its
  // supervisor to restart it.
  const escaped = (kind: string) => (error: unknown) => {
    if (writeFailureOf(error)) {
      backend.health.failed(error);
      app.log.error({ err: error }, `${kind}: database write refused; still running`);
      return;
    }
    app.log.fatal({ err: error }, `${kind}: exiting`);
    process.exit(1);
  };
  process.on('uncaughtException', escaped('uncaught exception'));
  process.on('unhandledRejection', escaped('unhandled rejection'));
  await app.listen({ port: config.port, host: config.host });
  return { app, backend, database: sqlite };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await startServer(loadConfig());
  } catch (error) {
    const failure = startupFailure(error);
    if (!failure) throw error;
    console.error(failure.line);
    process.exit(failure.exitCode);
  }
}
