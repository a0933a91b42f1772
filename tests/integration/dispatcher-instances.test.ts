// Two instances dispatching from one PostgreSQL outbox: the real dispatcher on two delivery queues over two pools,
// sending through the real Twilio SDK to one fake Twilio. Each notice goes out exactly once, a thread's texts in the
// order they were written; and when one instance stops dead mid-dispatch, its claims left `sending`, the other sends
// every remaining notice after the claims' lease, looking up those in doubt first, none twice.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogChannel } from '../../channels/log.ts';
import type { Channel, ChannelKind } from '../../channels/channel.ts';
import { TwilioSmsChannel } from '../../channels/sms-twilio/channel.ts';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresDeliveryQueue, type PostgresDeliveryQueue } from '../../db/postgres/delivery-queue.ts';
import { createDispatcher, type Dispatcher } from '../../server/notices/dispatcher.ts';
import { systemClock } from '../../server/shared/clock.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { recordingLogger } from '../support/logger.ts';
import { eventually, fakeTwilioForTest, TWILIO_FROM } from '../support/notices.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

const APPLICATIONS = 100;
const PER_APPLICATION = 5;
const NOTICES = APPLICATIONS * PER_APPLICATION;
const LEASE_MS = 1500;

interface Instance {
  name: string;
  database: PostgresDatabase;
  queue: PostgresDeliveryQueue;
  dispatcher: Dispatcher;
  logged: () => Record<string, unknown>[];
}

/** 100 applications, each with 5 texts to its customer's phone written in order: 500 notices in 100 threads. */
async function writeNotices(pool: pg.Pool): Promise<void> {
  const now = Date.now();
  const values: string[] = [];
  const params: unknown[] = [];
  for (let n = 0; n < PER_APPLICATION; n++) {
    for (let a = 0; a < APPLICATIONS; a++) {
      const no = `YX2026-${String(a).padStart(4, '0')}`;
      const i = params.length;
      values.push(`($${i + 1}, $${i + 2}, 'customer', 'sms', $${i + 3}, 'step_started', '{}', $${i + 4}, 1, FALSE, 1, 'pending', 0, $${i + 5}, $${i + 5}, $${i + 5})`);
      params.push(`${no}-${n}-${crypto.randomUUID()}`, no, `1380000${String(a).padStart(4, '0')}`, `【接电】${no} 第${n + 1}条进度通知`, now);
    }
  }
  await pool.query(
    `INSERT INTO outbox (id, application_no, recipient_kind, channel, address, notice_kind, variables, text, segments, urgent, lane, status,
       attempts, next_attempt_at, created_at, updated_at) VALUES ${values.join(', ')}`,
    params,
  );
}

const count = async (pool: pg.Pool, where: string) => Number((await pool.query(`SELECT count(*) AS n FROM outbox WHERE ${where}`)).rows[0].n);

describe('two dispatching instances on one PostgreSQL database', () => {
  let target: TestPostgres;
  let fake: FakeTwilio;
  let admin: pg.Pool;
  const instances: Instance[] = [];

  async function instance(name: string): Promise<Instance> {
    const url = new URL(target.url);
    url.searchParams.set('application_name', `jiedian-${name}`);
    const database = await openPostgres(url.toString(), { poolSize: 4 });
    const queue = createPostgresDeliveryQueue(database, { instanceId: name, claimLeaseMs: LEASE_MS, renewEveryMs: 250 });
    const { logger, entries } = recordingLogger();
    const sms = new TwilioSmsChannel({ ...fake.credentials, from: TWILIO_FROM, apiBaseUrl: fake.url, statusCallbackUrl: null });
    const channels: Record<ChannelKind, Channel> = {
      sms,
      wechat: new LogChannel('wechat', logger),
      wechat_oa: new LogChannel('wechat_oa', logger),
      wecom: new LogChannel('wecom', logger),
      email: new LogChannel('email', logger),
    };
    const dispatcher = createDispatcher({ queue, channels, clock: systemClock, log: logger, concurrency: 8, pollMs: 200, random: () => 0 });
    const made = { name, database, queue, dispatcher, logged: entries };
    instances.push(made);
    return made;
  }

  beforeEach(async () => {
    target = await freshPostgresDatabase();
    fake = await fakeTwilioForTest();
    admin = new pg.Pool({ connectionString: target.url, max: 2 });
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) {
      await i.dispatcher.stop();
      i.queue.close();
      await i.database.close().catch(() => undefined);
    }
    await admin.end();
    await target.drop();
  });

  /** Every notice's SMS, by its outbox id (the SDK's idempotency token): how many times each was sent. */
  const sendsPerNotice = () => {
    const times = new Map<string, number>();
    for (const r of fake.sends()) times.set(r.idempotencyToken!, (times.get(r.idempotencyToken!) ?? 0) + 1);
    return times;
  };

  it('sends each of 500 notices exactly once between them, each thread in the order written', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await writeNotices(admin);
    await Promise.all([a.dispatcher.start(), b.dispatcher.start()]);

    await eventually(() => fake.sends().length >= NOTICES, 'every notice to reach Twilio', 60_000);
    await Promise.all([a.dispatcher.idle(30_000), b.dispatcher.idle(30_000)]);

    const times = sendsPerNotice();
    expect(times.size).toBe(NOTICES);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(fake.sends()).toHaveLength(NOTICES);
    expect(await count(admin, `status = 'sent' AND provider_id IS NOT NULL`)).toBe(NOTICES);
    // the work was shared
    expect(await count(admin, `claimed_by = 'a'`)).toBeGreaterThan(0);
    expect(await count(admin, `claimed_by = 'b'`)).toBeGreaterThan(0);
    // each customer got their five texts in the order they were written
    const bodiesTo = new Map<string, string[]>();
    for (const r of fake.sends()) bodiesTo.set(r.to!, [...(bodiesTo.get(r.to!) ?? []), r.body!]);
    expect(bodiesTo.size).toBe(APPLICATIONS);
    for (const bodies of bodiesTo.values()) expect(bodies.map((body) => body.match(/第(\d)条/)![1])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('sends every notice a dead instance left claimed after its lease, asking Twilio first, none twice', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await writeNotices(admin);
    await Promise.all([a.dispatcher.start(), b.dispatcher.start()]);

    await eventually(() => fake.sends().length >= NOTICES / 5, 'a fifth of the notices to go', 60_000);
    // Twilio answers the next 16 sends late: both instances' 8 slots each wait on one, so A has 8 sends in flight
    // when it dies; the messages are created all the same
    fake.failNext(16, { delayMs: 1500 });
    const pendingBefore = fake.requests.length;
    await eventually(() => fake.requests.slice(pendingBefore).filter((r) => r.outcome === null).length >= 16, 'both instances to wait on Twilio', 20_000);
    // kill -9 of A, as its database sees it: its connections cut, its pool gone, its claims left `sending`
    a.queue.close();
    const ended = a.database.close();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jiedian-a'`);
    await ended.catch(() => undefined);
    const leftByA = await count(admin, `status = 'sending' AND claimed_by = 'a'`);
    expect(leftByA).toBeGreaterThan(0);

    await waitFor(async () => (await count(admin, `status IN ('pending', 'sending')`)) === 0, 'B to finish every notice', 60_000);

    const times = sendsPerNotice();
    expect(times.size).toBe(NOTICES);
    expect([...times.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(await count(admin, `status = 'sent' AND provider_id IS NOT NULL`)).toBe(NOTICES);
    // what A left behind B took over in doubt, and asked Twilio about before sending
    expect(await count(admin, `claimed_by = 'b' AND in_doubt_since IS NOT NULL`)).toBe(leftByA);
    expect(fake.requests.some((r) => r.method === 'GET')).toBe(true);
    expect(b.logged().some((e) => e.msg === 'the provider already has this message; not sent again')).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
