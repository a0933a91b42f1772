// `npm run jiedian -- <command>`: the operator's command line. Each command is one entry of the table below.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { buildApp, templatesDir } from '../app.ts';
import { ConfigError, loadConfig, requireSettings, type Config } from '../config.ts';
import { openDatabase } from '../../db/client.ts';
import { createSqliteBackend } from '../../db/sqlite/backend.ts';
import type { Backend } from '../backend.ts';
import { DatabaseOpenError, openBackend } from '../main.ts';
import { loadReferenceData } from '../shared/reference-data.ts';
import { runImport } from './import.ts';

type Env = Record<string, string | undefined>;

export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Env;
}

export interface Command {
  /** arguments after the command name, for the usage text */
  args: string;
  summary: string;
  /** resolves to the process exit code */
  run(args: string[], io: CommandIo): Promise<number>;
}

class UsageError extends Error {}

class UserError extends Error {}

// Commands read settings (SMS signature, time zone, database path) from the configuration; they must not demand
// secrets they do not use. `needs` names the settings a command cannot run without, all reported at once.
const placeholderSecrets = { JIEDIAN_SECRET: 'unused-by-this-command-0123456789abcdef', SYNC_TOKEN: 'unused-by-this-command' };

function configFor(env: Env, needs: Record<string, string> = {}): Config {
  requireSettings(env, needs);
  const placeholders = Object.fromEntries(Object.entries(placeholderSecrets).filter(([name]) => !(name in needs)));
  return loadConfig({ ...placeholders, ...env });
}

/**
 * The server's database, for a command that works on its data: a path that does not exist is a mistake (an unset
 * DATABASE_PATH, a typo), and opening it would silently create an empty database beside the real one.
 */
function openExistingDatabase(config: Config) {
  const file = config.databasePath;
  if (file !== ':memory:' && !fs.existsSync(file)) {
    throw new UserError(
      `no database at ${file}; set DATABASE_PATH to the server's database file (\`npm start\` creates it; the demo's is data/demo.db)`,
    );
  }
  return openDatabase(file);
}

/** The server's database as the server opens it: PostgreSQL when DATABASE_URL is set, else the existing SQLite file. */
async function openExistingBackend(config: Config): Promise<Backend> {
  if (!config.postgres) return createSqliteBackend(openExistingDatabase(config));
  try {
    return (await openBackend(config, () => undefined)).backend;
  } catch (error) {
    throw error instanceof DatabaseOpenError ? new UserError(error.message) : error;
  }
}

const commands: Record<string, Command> = {
  import: {
    args: 'FILE.jsonl',
    summary: 'import handlers, applications and step events (JSON lines, sync API shapes) into the database',
    async run([file, ...rest], io) {
      if (!file || rest.length > 0) throw new UsageError('import takes exactly one FILE');
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        io.stderr.write(`jiedian: ${file}: no such file\n`);
        return 2;
      }
      // Query codes are stored as HMACs keyed by the server's secret; the database may be a new one, but where it is
      // must be said, not defaulted (an import into a file the server never reads is lost work).
      const config = configFor(io.env, {
        JIEDIAN_SECRET: "the server's secret: stored query codes are keyed by it",
        ...(io.env.DATABASE_URL ? {} : { DATABASE_PATH: "the server's database file; a new file is created and migrated" }),
      });
      let backend: Backend;
      if (config.postgres) backend = await openExistingBackend(config);
      else {
        if (config.databasePath !== ':memory:' && !fs.existsSync(config.databasePath)) io.stderr.write(`jiedian: creating a new database at ${config.databasePath}\n`);
        backend = createSqliteBackend(openDatabase(config.databasePath));
      }
      // Not made ready: the dispatcher and channels stay off; notices queue in the outbox for the server.
      const app = await buildApp({ config, backend, logger: false });
      try {
        const summary = await runImport({
          file,
          ingest: app.applications.ingest,
          out: io.stderr,
          summaryOut: io.stdout,
          progress: (io.stderr as { isTTY?: boolean }).isTTY === true,
        });
        return summary.rejected.length === 0 ? 0 : 1;
      } finally {
        await app.close();
        await backend.close();
      }
    },
  },

  'notices:report': {
    args: '',
    summary: "replay one application per process through its whole life (live, and as a 40-day backlog) and print the customer's texts and SMS segments",
    async run(rest, io) {
      if (rest.length > 0) throw new UsageError('notices:report takes no arguments');
      const { runNoticesReport } = await import('./notices-report.ts');
      await runNoticesReport(configFor(io.env), io.stdout);
      return 0;
    },
  },

  'staff:password': {
    args: 'HANDLER_ID',
    summary: "set a staff member's sign-in password, read as one line from stdin (at least 8 characters)",
    async run([handlerId, ...rest], io) {
      if (!handlerId || rest.length > 0) throw new UsageError('staff:password takes exactly one HANDLER_ID');
      // scrypt with a random salt: the password needs no server secret, only the database.
      const config = configFor(io.env);
      const backend = await openExistingBackend(config);
      try {
        const { runStaffPassword } = await import('./staff-password.ts');
        return await runStaffPassword({ handlerId, stores: backend.stores, transact: backend.transact, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr });
      } finally {
        await backend.close();
      }
    },
  },

  'staff:admin': {
    args: 'HANDLER_ID [--revoke]',
    summary: 'grant a synced staff member the admin role (all teams\' queues and statistics), or take it back',
    async run([handlerId, ...rest], io) {
      const revoke = rest.length === 1 && rest[0] === '--revoke';
      if (!handlerId || (rest.length > 0 && !revoke)) throw new UsageError('staff:admin takes a HANDLER_ID and optionally --revoke');
      const config = configFor(io.env);
      const backend = await openExistingBackend(config);
      try {
        const { setAdmin } = await import('./staff-admin.ts');
        return await setAdmin({ handlerId, revoke, transact: backend.transact, stdout: io.stdout, stderr: io.stderr });
      } finally {
        await backend.close();
      }
    },
  },

  'sla:sweep': {
    args: '',
    summary:
      'check time limits now: raise due warning/overdue alerts, queue the texts working time allows, send due weekly digests (safe beside the server, which pushes these alerts to staff pages over /ws within about a second)',
    async run(args, io) {
      if (args.length > 0) throw new UsageError('sla:sweep takes no arguments');
      const config = configFor(io.env);
      const backend = await openExistingBackend(config);
      // Not made ready: no dispatcher here; the texts queue in the outbox for the server to send.
      const app = await buildApp({ config, backend, logger: false });
      try {
        const result = await app.timeLimits.sla.sweep();
        const digests = await app.timeLimits.weeklyDigest.run();
        io.stdout.write(
          `warnings raised: ${result.warnings}\noverdue raised: ${result.overdue}\napplication limits overdue: ${result.applicationOverdue}\n` +
            `alerts texted: ${result.notified}\nweekly digests: ${digests}\n`,
        );
        return 0;
      } finally {
        await app.close();
        await backend.close();
      }
    },
  },

  'templates:check': {
    args: '[DIR]',
    summary: 'render every notice template with sample data, check the template SMS maps (sms-aliyun.json, sms-tencent.json), report problems; DIR: check an edited copy of templates/ before deploying it',
    async run(args, io) {
      if (args.length > 1) throw new UsageError('templates:check takes at most one argument, a templates directory');
      const dir = args[0] === undefined ? templatesDir : path.resolve(args[0]);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir} is not a directory`);
      const config = configFor(io.env);
      const { runTemplatesCheck } = await import('./templates-check.ts');
      const problems = runTemplatesCheck({
        out: io.stdout,
        dir,
        smsSignature: config.smsSignature,
        timeZone: config.timeZone,
        processCodes: loadReferenceData(config).catalog.processes.map((p) => p.code),
        requiredProvider: config.smsProvider === 'aliyun' || config.smsProvider === 'tencent' ? config.smsProvider : null,
      });
      return problems === 0 ? 0 : 1;
    },
  },

  'chat:eval': {
    args: '[FILE.jsonl]',
    summary: 'chatbot intent accuracy per intent with a confusion table, and reply latency (p99) in-process',
    async run(args, io) {
      if (args.length > 1) throw new UsageError('chat:eval takes at most one FILE');
      const { runChatEval } = await import('./chat-eval.ts');
      const result = await runChatEval({ config: configFor({ ...io.env, DATABASE_PATH: ':memory:' }), out: io.stdout, fixture: args[0] });
      return result.passed ? 0 : 1;
    },
  },

  help: {
    args: '',
    summary: 'show this help',
    async run(_args, io) {
      io.stdout.write(usage());
      return 0;
    },
  },
};

export function usage(): string {
  const width = Math.max(...Object.entries(commands).map(([name, c]) => `${name} ${c.args}`.trim().length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${`${name} ${c.args}`.trim().padEnd(width)}  ${c.summary}`);
  return `usage: npm run jiedian -- <command> [arguments]\n\ncommands:\n${lines.join('\n')}\n\nConfiguration comes from the environment: see the Configuration table in README.md. A running server documents its HTTP API at /docs.\n`;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(usage());
    return 2;
  }
  const command = name === '--help' || name === '-h' ? commands.help! : Object.hasOwn(commands, name) ? commands[name]! : null;
  if (!command) {
    io.stderr.write(`jiedian: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`jiedian: configuration error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UserError) {
      io.stderr.write(`jiedian: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`jiedian: ${error.message}\n\n${usage()}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.exitCode = code;
}
