// Entry point: configuration, database, listen, graceful shutdown.
import { buildApp } from './app.ts';
import { redactedLogPaths } from './http-server.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database_ } from '../db/client.ts';
import { SERVER_BUSY_TIMEOUT_MS, describeWriteFailure, writeFailureOf } from '../db/unit-of-work.ts';
import { loadReferenceData } from './services/reference-data.ts';
import { SmsTemplateMapError } from './services/sms-template-maps.ts';

/** The database could not be opened or migrated at start: said in one line, without a stack trace. */
export class DatabaseOpenError extends Error {
  constructor(path: string, cause: unknown) {
    const failure = writeFailureOf(cause);
    const reason = failure ? describeWriteFailure(failure) : cause instanceof Error ? cause.message : String(cause);
    super(`cannot open the database DATABASE_PATH=${path}: ${reason}`);
    this.name = 'DatabaseOpenError';
  }
}

function openServerDatabase(path: string): Database_ {
  try {
    // the server's connection blocks only briefly for another process's lock: its writes wait as units of work
    return openDatabase(path, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new DatabaseOpenError(path, error);
  }
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

export async function startServer(config: Config, options: { pretty?: boolean } = {}) {
  const reference = loadReferenceData(config);
  const database = openServerDatabase(config.databasePath);
  const app = await buildApp({
    config,
    database,
    reference,
    logger: { level: config.logLevel, redact: { paths: redactedLogPaths, censor: '[redacted]' } },
  });
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
      .then(() => database.close())
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
      database.health.failed(error);
      app.log.error({ err: error }, `${kind}: database write refused; still running`);
      return;
    }
    app.log.fatal({ err: error }, `${kind}: exiting`);
    process.exit(1);
  };
  process.on('uncaughtException', escaped('uncaught exception'));
  process.on('unhandledRejection', escaped('unhandled rejection'));
  await app.listen({ port: config.port, host: config.host });
  return { app, database };
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
