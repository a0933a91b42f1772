// Two server processes (`server/main.ts`, DATABASE_URL) on one PostgreSQL database, both sending SMS through one fake
// Twilio (issue 14): step events split between them produce one SMS per notice; a hurry posted to A reaches a staff
// WebSocket on B; their two sweepers raise each alert once; when A is killed (-9) mid-dispatch, B sends every notice
// left, none twice; and the wrong-code limit of an account holds when the guesses alternate between them.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { hashPassword } from '../../server/staff/passwords.ts';
import { WRONG_QUERY_CODES_PER_PAIR } from '../../server/customers/query-code-guesses.ts';
import { applicationBody, handlerBody, SECRET, SYNC_TOKEN } from '../support/app.ts';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.ts';
import { api, LiveClient, PASSWORD } from '../support/live.ts';
import { completed, started, TWILIO_FROM, type StepEvent } from '../support/notices.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';
import { send, start, type Server } from '../support/server-process.ts';

interface Instance {
  name: string;
  server: Server;
  origin: string;
}

let target: TestPostgres | null = null;
let fake: FakeTwilio | null = null;
let admin: pg.Pool | null = null;
const running: Server[] = [];

afterEach(async () => {
  // the processes first: dropping the database under them would only fill their logs
  for (const server of running.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  await admin?.end();
  admin = null;
  await fake?.close();
  fake = null;
  await target?.drop();
  target = null;
});

/** A fresh database (migrated once, as an instance would) and the fake Twilio both instances send through. */
async function setUp(): Promise<{ db: pg.Pool; twilio: FakeTwilio; url: string }> {
  target = await freshPostgresDatabase();
  await (await openPostgres(target.url)).close();
  fake = await startFakeTwilio();
  admin = new pg.Pool({ connectionString: target.url, max: 2 });
  admin.on('error', () => undefined);
  return { db: admin, twilio: fake, url: target.url };
}

function instanceEnv(url: string, twilio: FakeTwilio, extra: Record<string, string>): Record<string, string> {
  return {
    SYNC_TOKEN,
    JIEDIAN_SECRET: SECRET,
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '4',
    PORT: '0',
    // the fixtures' histories are replayed as live on today's clock, at any hour
    QUIET_HOURS: '',
    LATE_EVENT_HORIZON_HOURS: '8784',
    TWILIO_ACCOUNT_SID: twilio.credentials.accountSid,
    TWILIO_AUTH_TOKEN: twilio.credentials.authToken,
    TWILIO_FROM,
    TWILIO_API_BASE_URL: twilio.url,
    SMS_SEGMENTS_PER_SECOND: '1000',
    LEASE_RETRY_MS: '200',
    ...extra,
  };
}

async function startInstance(name: string, url: string, twilio: FakeTwilio, extra: Record<string, string> = {}): Promise<Instance> {
  const server = start(instanceEnv(url, twilio, extra));
  running.push(server);
  return { name, server, origin: await server.origin };
}

async function ok(origin: string, method: string, route: string, body: unknown): Promise<any> {
  const reply = await send(origin, method, route, body);
  if (reply.status >= 300) throw new Error(`${method} ${route}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

const applicationNo = (i: number) => `YX2026-${String(1000 + i)}`;
const phoneOf = (i: number) => `1380000${String(1000 + i)}`;

/** `count` applications (hv_single, handler H001), each its own customer; PUT through the instances in turn. */
async function applications(instances: Instance[], count: number): Promise<void> {
  await ok(instances[0]!.origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody());
  for (let i = 0; i < count; i++) {
    const body = applicationBody({ accountNo: `53001${String(10000 + i)}`, phone: phoneOf(i), acceptedAt: '2026-11-20T09:00:00+08:00' });
    await ok(instances[i % instances.length]!.origin, 'PUT', `/api/v1/sync/applications/${applicationNo(i)}`, body);
  }
}

const count = async (db: pg.Pool, sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);

/** Waits until no SMS row is pending or being sent. */
async function allSmsSettled(db: pg.Pool, timeoutMs: number): Promise<void> {
  await expect
    .poll(() => count(db, `SELECT count(*) AS n FROM outbox WHERE channel = 'sms' AND status IN ('pending', 'sending')`), { timeout: timeoutMs, interval: 200 })
    .toBe(0);
}

/** Each SMS row with the number of sends the fake Twilio got for it (the row id is the SDK's idempotency token). */
async function sendsPerRow(db: pg.Pool, twilio: FakeTwilio): Promise<{ id: string; status: string; sends: number }[]> {
  const sends = new Map<string, number>();
  for (const r of twilio.sends()) sends.set(r.idempotencyToken!, (sends.get(r.idempotencyToken!) ?? 0) + 1);
  const { rows } = await db.query<{ id: string; status: string }>(`SELECT id, status FROM outbox WHERE channel = 'sms' ORDER BY seq`);
  return rows.map((row) => ({ ...row, sends: sends.get(row.id) ?? 0 }));
}

describe('two server processes on one PostgreSQL database', () => {
  it('500 step events split between A and B: exactly one SMS per notice at Twilio', async () => {
    const { db, twilio, url } = await setUp();
    const a = await startInstance('A', url, twilio);
    const b = await startInstance('B', url, twilio);
    const APPLICATIONS = 50;
    await applications([a, b], APPLICATIONS);

    // ten events per application (its first five steps started, then completed), posted in ten rounds, one event per
    // application in each: the even applications' through A, the odd ones' through B, A's and B's batches at once
    const steps = ['accept', 'survey', 'plan_reply', 'design_review', 'construction'];
    const eventOf = (i: number, round: number): StepEvent => {
      const step = steps[Math.floor(round / 2)]!;
      const day = `2026-11-${String(21 + Math.floor(round / 2)).padStart(2, '0')}`;
      return round % 2 === 0 ? started(applicationNo(i), step, `${day}T09:00:00+08:00`) : completed(applicationNo(i), step, `${day}T15:00:00+08:00`);
    };
    const indices = Array.from({ length: APPLICATIONS }, (_, i) => i);
    let accepted = 0;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(
        [a, b].map((instance, k) => ok(instance.origin, 'POST', '/api/v1/sync/events', { events: indices.filter((i) => i % 2 === k).map((i) => eventOf(i, round)) })),
      );
      for (const result of results) {
        expect(result.rejected).toEqual([]);
        accepted += result.accepted;
      }
    }
    expect(accepted).toBe(500);

    await allSmsSettled(db, 120_000);
    const rows = await sendsPerRow(db, twilio);
    expect(rows.length).toBeGreaterThan(APPLICATIONS);
    // every notice not made obsolete before it went (superseded) reached Twilio once, and no other SMS did
    for (const row of rows) expect(row).toEqual({ ...row, sends: row.status === 'superseded' ? 0 : 1 });
    expect(rows.filter((r) => r.status === 'sent' || r.status === 'delivered').length).toBe(twilio.sends().length);
    expect(twilio.messages).toHaveLength(twilio.sends().length);
    expect(rows.some((r) => r.status === 'failed' || r.status === 'dead')).toBe(false);
  }, 240_000);

  it('a hurry posted to A appears on a staff WebSocket connected to B', async () => {
    const { url, twilio } = await setUp();
    const a = await startInstance('A', url, twilio);
    const b = await startInstance('B', url, twilio);
    await applications([a], 1);
    // the survey is under way: a utility step the customer may hurry
    await ok(a.origin, 'POST', '/api/v1/sync/events', { events: [started(applicationNo(0), 'accept', '2026-11-20T09:30:00+08:00'), completed(applicationNo(0), 'accept', '2026-11-20T10:00:00+08:00'), started(applicationNo(0), 'survey', '2026-11-20T10:00:00+08:00')] });
    // H001's password, set as `staff:password` sets it
    const database = await openPostgres(url, { poolSize: 1 });
    await createPostgresStores(database).stores.staff.setPasswordHash('H001', await hashPassword(PASSWORD));
    await database.close();

    const login = await api(b.origin, 'POST', '/api/v1/staff/login', { body: { handlerId: 'H001', password: PASSWORD } });
    expect(login.status).toBe(200);
    const staffOnB = await LiveClient.open(b.origin);
    await staffOnB.subscribeStaff(login.body.token);
    expect(staffOnB.frames.at(-1)?.type).toBe('subscribed');

    const query = await api(a.origin, 'POST', '/api/v1/progress/query', { body: { accountNo: '5300110000', queryCode: applicationBody().queryCode } });
    expect(query.status).toBe(200);
    const pressed = await api(a.origin, 'POST', `/api/v1/applications/${applicationNo(0)}/hurry`, { token: query.body.viewToken, body: { message: '请尽快安排勘查' } });
    expect(pressed.status).toBe(202);

    const { frame } = await staffOnB.next((f) => f.type === 'hurry', 'hurry', { timeoutMs: 15_000 });
    expect(frame.hurry).toMatchObject({ id: pressed.body.hurry.id, applicationNo: applicationNo(0), stepCode: 'survey', message: '请尽快安排勘查', status: 'open' });
  }, 120_000);

  it('two sweepers running at once raise each alert exactly once', async () => {
    const { db, url, twilio } = await setUp();
    const sweeping = { SLA_SWEEP_INTERVAL_MS: '100' };
    const a = await startInstance('A', url, twilio, sweeping);
    const b = await startInstance('B', url, twilio, sweeping);
    const health = async (instance: Instance) => (await api(instance.origin, 'GET', '/healthz')).body;
    await expect.poll(async () => [(await health(a)).leases.sweeper, (await health(b)).leases.sweeper].filter(Boolean).length, { timeout: 15_000 }).toBe(1);

    // applications accepted on 20 November whose acceptance never finished: overdue now, their alerts owed
    const owing = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await ok(i % 2 ? b.origin : a.origin, 'PUT', `/api/v1/sync/applications/${applicationNo(i)}`, applicationBody({ accountNo: `53001${String(10000 + i)}`, phone: phoneOf(i) }));
        await ok(i % 2 ? a.origin : b.origin, 'POST', '/api/v1/sync/events', { events: [started(applicationNo(i), 'accept', '2026-11-20T09:30:00+08:00')] });
      }
    };
    await ok(a.origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody());
    const overdue = () => count(db, `SELECT count(*) AS n FROM alerts WHERE level = 'overdue' AND step_code = 'accept'`);
    await owing(0, 10);
    await expect.poll(overdue, { timeout: 30_000, interval: 100 }).toBe(10);
    // the sweeps go on beside each other: those that fall owing later are raised too, once
    await owing(10, 20);
    await expect.poll(overdue, { timeout: 30_000, interval: 100 }).toBe(20);

    const { rows } = await db.query<{ application_no: string; step_code: string; level: string; n: string }>(
      'SELECT application_no, step_code, level, count(*) AS n FROM alerts GROUP BY application_no, step_code, level',
    );
    expect(rows.filter((r) => r.level === 'overdue').map((r) => r.application_no).sort()).toEqual(Array.from({ length: 20 }, (_, i) => applicationNo(i)));
    expect(rows.every((r) => r.n === '1')).toBe(true);
    // neither sweeper failed on the other's writes
    for (const instance of [a, b]) expect(instance.server.stdout()).not.toContain('sweep task failed');
    expect([(await health(a)).leases.sweeper, (await health(b)).leases.sweeper].filter(Boolean)).toHaveLength(1);
  }, 120_000);

  it('kill -9 of A in the middle of dispatching: B sends every remaining notice, none twice', async () => {
    const { db, url, twilio } = await setUp();
    // every send is answered a second late, so each instance has sends in flight the whole time
    twilio.failNext(1000, { delayMs: 1000 });
    const dispatching = { DELIVERY_CLAIM_LEASE_MS: '3000', DISPATCH_CONCURRENCY: '4' };
    const a = await startInstance('A', url, twilio, dispatching);
    const b = await startInstance('B', url, twilio, dispatching);
    // forty customers, each with a plan text queued
    await applications([a, b], 40);
    const sms = () => count(db, `SELECT count(*) AS n FROM outbox WHERE channel = 'sms'`);
    const total = await sms();
    expect(total).toBeGreaterThanOrEqual(40);

    // more sends in flight than B alone may have (4): A has some
    await expect.poll(() => count(db, `SELECT count(*) AS n FROM outbox WHERE status = 'sending'`), { timeout: 30_000, interval: 20 }).toBeGreaterThan(4);
    a.server.child.kill('SIGKILL');
    await a.server.exited;

    await allSmsSettled(db, 90_000);
    const rows = await sendsPerRow(db, twilio);
    expect(rows).toHaveLength(total);
    for (const row of rows) expect(row).toEqual({ ...row, status: 'sent', sends: 1 });
    // A's sends in flight were answered after it died: B found them at Twilio instead of sending them again
    await expect.poll(() => twilio.messages.length, { timeout: 10_000 }).toBe(total);
    await expect.poll(() => b.server.stdout(), { timeout: 10_000 }).toContain('the provider already has this message; not sent again');
  }, 180_000);

  it("the wrong-code limit for one account holds when the guesses alternate between A and B", async () => {
    const { url, twilio } = await setUp();
    const a = await startInstance('A', url, twilio);
    const b = await startInstance('B', url, twilio);
    await applications([a], 1);
    const accountNo = '5300110000';
    const query = (instance: Instance, queryCode: string) => api(instance.origin, 'POST', '/api/v1/progress/query', { body: { accountNo, queryCode } });

    expect((await query(b, applicationBody().queryCode)).status).toBe(200);
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR; i++) expect((await query(i % 2 ? b : a, '000000')).status).toBe(401);
    // held on both, the right code too
    for (const instance of [a, b]) {
      const held = await query(instance, applicationBody().queryCode);
      expect(held.status).toBe(429);
      expect(held.body.code).toBe('JD_RATE_LIMITED');
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  }, 120_000);
});
