// Entry point: configuration, database, listen, graceful shutdown.
import { buildApp, redactedLogPaths } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from '../db/client.ts';
import { loadReferenceData } from './services/reference-data.ts';

export async function startServer(config: Config, options: { pretty?: boolean } = {}) {
  const reference = loadReferenceData(config);
  const database = openDatabase(config.databasePath);
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
  await app.listen({ port: config.port, host: config.host });
  return { app, database };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await startServer(loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`jiedian: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
