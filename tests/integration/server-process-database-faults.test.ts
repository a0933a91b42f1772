// The server as a real process while its database fails: another process holds the write lock for seconds while
// texts are due, the file may not grow (a full disk), or the directory is read-only at start.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applicationBody, handlerBody, tempDatabasePath } from '../support/app.ts';
import { send, serverEnv, start } from '../support/server-process.ts';

const health = async (origin: string) => {
  const response = await fetch(`${origin}/healthz`);
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
};

describe('the server process on a failing database', () => {
  it('keeps running while another connection holds the write lock as texts fall due: /healthz says why, the texts go once the lock is free', async () => {
    const databasePath = tempDatabasePath();
    const server = start(serverEnv(databasePath));
    const origin = await server.origin;
    expect((await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody())).status).toBe(200);

    const other = new Database(databasePath);
    try {
      other.pragma('busy_timeout = 5000');
      // a text that falls due while the lock is held: the dispatcher's claim meets SQLITE_BUSY
      const id = randomUUID();
      const now = Date.now();
      other
        .prepare(
          `INSERT INTO outbox (id, application_no, recipient_kind, recipient_ref, channel, address, notice_kind, variables, text, segments, urgent, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, NULL, 'handler', 'H001', 'sms', '13912345678', 'test', '{}', '【接电助手】测试', 1, 1, 'pending', 0, ?, ?, ?)`,
        )
        .run(id, now + 1500, now, now);
      other.exec('BEGIN IMMEDIATE');
      await expect.poll(async () => (await health(origin)).status, { timeout: 10_000 }).toBe(503);
      expect((await health(origin)).body).toMatchObject({ code: 'JD_UNAVAILABLE', message: expect.stringContaining('locked') });
      // a sync write meanwhile: it waits, then gets a 503 with Retry-After, or goes through once the lock is free
      const write = send(origin, 'PUT', '/api/v1/sync/applications/YX2026-0001', applicationBody());
      // the lock is held 6 s, past the text's due time and the write's wait
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(server.child.exitCode).toBeNull();
      expect([200, 201, 503]).toContain((await write).status);
      other.exec('COMMIT');

      // the log channel (no SMS credentials here) confirms at once: delivered
      await expect.poll(() => (other.prepare('SELECT status FROM outbox WHERE id = ?').get(id) as { status: string }).status, { timeout: 10_000 }).toBe('delivered');
      await expect.poll(async () => (await health(origin)).status, { timeout: 10_000 }).toBe(200);
      expect(server.child.exitCode).toBeNull();
      expect(server.stdout()).toContain('SQLITE_BUSY');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('keeps running when its files may not grow (a full disk): writes answer 503, /healthz says why, and all is well once space is back', async () => {
    const databasePath = tempDatabasePath();
    const server = start(serverEnv(databasePath));
    const origin = await server.origin;
    expect((await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody())).status).toBe(200);
    // The kernel's file-size limit (RLIMIT_FSIZE, lowered for this process only, no root needed) makes every write
    // past the files' present size fail, as a full disk does; SQLite sees a failed write (SQLITE_IOERR_WRITE or
    // SQLITE_FULL) where a full disk would give it ENOSPC.
    const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
    const limit = Math.min(size(databasePath), size(`${databasePath}-wal`) || Infinity) + 8 * 1024;
    execFileSync('prlimit', ['--pid', String(server.child.pid), `--fsize=${limit}:`]);

    const statuses: number[] = [];
    // batches of events for applications not synced yet: each is kept (parked), about 100 kB a batch
    for (let i = 0; i < 100 && !statuses.includes(503); i++) {
      const events = Array.from({ length: 500 }, (_, k) => ({ eventId: `EV-FULL-${i}-${k}`, applicationNo: `YX-FULL-${i}-${k}`, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' }));
      statuses.push((await send(origin, 'POST', '/api/v1/sync/events', { events })).status);
    }
    expect(statuses).toContain(503);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const unhealthy = await health(origin);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body.message).toMatch(/SQLITE_(IOERR|FULL)/);
    // the dispatcher and the sweeps meet the same refusals meanwhile
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(server.child.exitCode).toBeNull();

    execFileSync('prlimit', ['--pid', String(server.child.pid), '--fsize=unlimited:']);
    expect((await send(origin, 'PUT', '/api/v1/sync/applications/YX2026-9999', applicationBody())).status).toBe(201);
    expect((await health(origin)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('stops at start with one line and no stack trace when the database directory is read-only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-ro-'));
    const root = process.getuid?.() === 0;
    // root writes anywhere: the server is then run as an unprivileged user against a directory only root may write
    if (root) fs.chmodSync(dir, 0o755);
    else fs.chmodSync(dir, 0o555);
    try {
      const server = start(serverEnv(path.join(dir, 'sub', 'jiedian.db')), root ? { uid: 65534 } : {});
      const code = await server.exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      const lines = server.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^jiedian: cannot open the database DATABASE_PATH=.*jiedian\.db: /);
      expect(server.stderr() + server.stdout()).not.toMatch(/\n\s+at /);
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
