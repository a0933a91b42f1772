// kill -9 of the server while an SMS is with Twilio: the next process asks Twilio before it sends that row again.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applicationBody, handlerBody, tempDatabasePath } from '../support/app.ts';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.ts';
import { send, serverEnv, start } from '../support/server-process.ts';

let fake: FakeTwilio | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

function outboxRows(databasePath: string): { id: string; status: string }[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare('SELECT id, status FROM outbox ORDER BY rowid').all() as { id: string; status: string }[];
  } finally {
    db.close();
  }
}

describe('a server killed mid-dispatch', () => {
  it('sends every text once: the one Twilio took while the process died is found by the next process, not sent again', async () => {
    fake = await startFakeTwilio();
    const databasePath = tempDatabasePath();
    const env = serverEnv(databasePath, {
      TWILIO_ACCOUNT_SID: fake.credentials.accountSid,
      TWILIO_AUTH_TOKEN: fake.credentials.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_BASE_URL: fake.url,
      SMS_SEGMENTS_PER_SECOND: '1000',
    });
    // Twilio creates the first message, but answers only after the process is gone
    fake.failNext(1, { delayMs: 1500 });
    const first = start(env);
    const origin = await first.origin;
    expect((await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody())).status).toBe(200);
    expect((await send(origin, 'PUT', '/api/v1/sync/applications/YX2026-0001', applicationBody())).status).toBe(201);
    await expect.poll(() => fake!.sends().length, { timeout: 10_000 }).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await first.exited;
    await expect.poll(() => fake!.messages.length, { timeout: 10_000 }).toBe(fake.sends().length);
    expect(outboxRows(databasePath).some((r) => r.status === 'sending')).toBe(true);

    const second = start(env);
    await second.origin;
    await expect.poll(() => outboxRows(databasePath).every((r) => r.status === 'sent'), { timeout: 10_000 }).toBe(true);

    const rows = outboxRows(databasePath);
    const sendsPerRow = rows.map((r) => fake!.sends().filter((s) => s.idempotencyToken === r.id).length);
    expect(sendsPerRow).toEqual(rows.map(() => 1));
    expect(fake.messages).toHaveLength(rows.length);
    // the child's log reaches this process through a pipe, possibly after the row it tells of is written
    await expect.poll(() => second.stdout(), { timeout: 10_000 }).toContain('the provider already has this message; not sent again');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
