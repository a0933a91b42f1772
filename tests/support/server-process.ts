// `npm start` as a real child process for tests: start it with only the environment given, find where it listens,
// and kill whatever is left after each test.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { SECRET, SYNC_TOKEN, type TestDatabase } from './app.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

export interface Server {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  origin: Promise<string>;
}

const children: ChildProcess[] = [];
const tempDirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** `uid`: run as that user (a test run as root checks what an unprivileged server meets) */
export function start(env: Record<string, string>, options: { uid?: number } = {}): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    // only what is given: no TWILIO_* or WECHATY_* from the developer's shell
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  child.stderr!.on('data', (chunk) => (err += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const origin = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match) {
        child.stdout!.off('data', look);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}\n${err}`)));
  });
  origin.catch(() => {}); // awaited only by the tests that expect the server to listen
  return { child, stdout: () => out, stderr: () => err, exited, origin };
}

export function serverEnv(databasePath: string, extra: Record<string, string> = {}): Record<string, string> {
  tempDirs.push(path.dirname(databasePath));
  // the fixtures' histories (accepted 2026-11-20) are replayed as live on today's clock, as in testConfig
  return { SYNC_TOKEN, JIEDIAN_SECRET: SECRET, DATABASE_PATH: databasePath, PORT: '0', QUIET_HOURS: '', LATE_EVENT_HORIZON_HOURS: '8784', ...extra };
}

/** The environment of a server process on a test database, whichever it is (DATABASE_PATH or DATABASE_URL). */
export function serverEnvOn(database: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return { SYNC_TOKEN, JIEDIAN_SECRET: SECRET, PORT: '0', QUIET_HOURS: '', LATE_EVENT_HORIZON_HOURS: '8784', ...database.env, ...extra };
}

export async function send(origin: string, method: string, route: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(origin + route, {
    method,
    headers: { authorization: `Bearer ${SYNC_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
