// Another process holding SQLite's write lock (a backup, `sla:sweep`, an import), or a full database: writes wait
// without blocking the event loop and then answer 503 with Retry-After, reads keep flowing, the dispatcher backs
// off instead of throwing from its timer, and /healthz says why until writes succeed again.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database_ } from '../../db/client.ts';
import { SERVER_BUSY_TIMEOUT_MS } from '../../db/unit-of-work.ts';
import { tempDatabasePath, type TestApp } from '../support/app.ts';
import { buildNoticeApp, completed, eventually, fakeTwilioForTest, postEvents, putApplication, putHandler, started } from '../support/notices.ts';

const others: Database_[] = [];
afterEach(() => {
  for (const other of others.splice(0)) {
    if (other.sqlite.inTransaction) other.sqlite.exec('ROLLBACK');
    other.close();
  }
});

/** A second connection to the same file, as another process would hold it. */
function anotherProcess(databasePath: string) {
  const other = openDatabase(databasePath);
  others.push(other);
  return {
    lock: () => other.sqlite.exec('BEGIN IMMEDIATE'),
    release: () => other.sqlite.exec('COMMIT'),
  };
}

async function setUp(writeWaitMs = 10_000) {
  const fake = await fakeTwilioForTest();
  const databasePath = tempDatabasePath();
  const t = await buildNoticeApp(fake, { databasePath, open: { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS, writeWaitMs } });
  await putHandler(t);
  await putApplication(t, 'YX2026-0001');
  await t.app.notices.dispatcher.idle();
  const query = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: '5300123456', queryCode: '482913' } });
  const viewToken = query.json().viewToken as string;
  return { fake, t, databasePath, viewToken };
}

const batch = (t: TestApp) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/sync/events',
    headers: t.sync,
    payload: { events: [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00'), completed('YX2026-0001', 'accept', '2026-11-20T10:00:00+08:00')] },
  });
const eventCount = (t: TestApp) => (t.database.sqlite.prepare('SELECT count(*) AS n FROM sync_events').get() as { n: number }).n;

describe('a database another process has locked', () => {
  it('a sync batch waits for the lock without blocking: a progress read answers meanwhile, and the batch is applied once the lock is free', async () => {
    const { t, databasePath, viewToken } = await setUp();
    const other = anotherProcess(databasePath);
    other.lock();
    let answered = false;
    const waiting = batch(t).then((reply) => ((answered = true), reply));
    await eventually(() => t.database.health.failure?.kind === 'busy', 'the batch to find the lock taken');
    // the batch is waiting for the lock; a customer's read goes through meanwhile
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/progress/YX2026-0001', headers: { authorization: `Bearer ${viewToken}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json().application.applicationNo).toBe('YX2026-0001');
    expect(answered).toBe(false);
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ code: 'JD_UNAVAILABLE', message: expect.stringContaining('locked by another process') });
    expect(answered).toBe(false);

    other.release();
    const reply = await waiting;
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({ accepted: 2, rejected: [] });
    expect(eventCount(t)).toBe(2);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('a write still locked out after the bounded wait answers 503 JD_UNAVAILABLE with Retry-After, and changes nothing', async () => {
    const { t, databasePath } = await setUp(300);
    const other = anotherProcess(databasePath);
    other.lock();
    const reply = await batch(t);
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toMatch(/^\d+$/);
    expect(reply.json()).toMatchObject({ statusCode: 503, code: 'JD_UNAVAILABLE', error: 'Service Unavailable', retryAfterSeconds: Number(reply.headers['retry-after']) });
    const handler = await t.app.inject({ method: 'PUT', url: '/api/v1/sync/handlers/H002', headers: t.sync, payload: { name: '王芳', phone: '13912345679', teamId: 'T01', teamName: '业扩一班', role: 'handler' } });
    expect(handler.statusCode).toBe(503);
    other.release();
    expect(eventCount(t)).toBe(0);
    expect((await batch(t)).statusCode).toBe(200);
  });

  it('the dispatcher does not throw from its timer while the lock is held, and sends the due texts once it is free', async () => {
    const { fake, t, databasePath } = await setUp();
    const sentBefore = fake.sends().length;
    await t.app.notices.dispatcher.stop();
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00'), completed('YX2026-0001', 'accept', '2026-11-20T10:00:00+08:00'), started('YX2026-0001', 'survey', '2026-11-24T09:00:00+08:00')]);
    const due = (t.database.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n;
    expect(due).toBeGreaterThan(0);
    const other = anotherProcess(databasePath);
    other.lock();
    // the claim fails with SQLITE_BUSY; an exception escaping the timer would fail this test run
    t.app.notices.dispatcher.start();
    await eventually(() => t.database.health.failure?.kind === 'busy', 'the dispatcher to report the locked database');
    expect(fake.sends()).toHaveLength(sentBefore);
    other.release();
    await eventually(() => fake.sends().length === sentBefore + due, 'the due texts to go out', 10_000);
    await t.app.notices.dispatcher.idle();
    expect(fake.sends()).toHaveLength(sentBefore + due);
  });
});

describe('a full database', () => {
  it('a write answers 503 saying the database is full, /healthz is 503 until a write succeeds again, and nothing is half-written', async () => {
    const { t } = await setUp();
    const pages = t.database.sqlite.pragma('page_count', { simple: true }) as number;
    // the connection may not grow the file: what a full disk does to SQLite (SQLITE_FULL)
    t.database.sqlite.pragma(`max_page_count = ${pages}`);
    const events = Array.from({ length: 400 }, (_, i) => started(`YX-FULL-${i}`, 'accept', '2026-11-20T09:00:00+08:00'));
    const reply = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } });
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toMatchObject({ code: 'JD_UNAVAILABLE', message: expect.stringContaining('full') });
    expect(reply.headers['retry-after']).toBeDefined();
    expect(eventCount(t)).toBe(0);
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json().message).toContain('SQLITE_FULL');

    t.database.sqlite.pragma(`max_page_count = ${pages * 100}`);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } })).statusCode).toBe(200);
    expect(eventCount(t)).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
