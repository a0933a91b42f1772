// One instance at a time for timed work, on one PostgreSQL database: two instances (apps on PostgreSQL backends, each
// with its own pool and sweeper lease, db/postgres/lease.ts) sweep at once; only the holder sweeps, each alert is
// raised once, and when the holder closes the other takes the sweep over. The Wechaty bot starts only on the instance
// holding its lease, stops when it loses it, and WeChat rows wait for the instance whose bot is logged in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { createLease, type Lease } from '../../db/postgres/lease.ts';
import { soleLease } from '../../db/sqlite/lease.ts';
import { LEASE_NAMES } from '../../server/lease.ts';
import type { Sweeper } from '../../server/time-limits/sweeper.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { eventually, fakeTwilioForTest } from '../support/notices.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';
import { createMockWechat, type MockWechat } from '../support/wechaty-mock.ts';
import { APPLICATION_NO, chatApp } from '../support/chat.ts';

// Sunday 29 November 2026, 03:00 in Shanghai: outside working time, so the alerts raised wait for Monday to be texted
const NOW = Date.parse('2026-11-29T03:00:00+08:00');
const DAY = 86_400_000;


/** Three residential applications (accept, survey, connect) of handler H001 in team T01, none owing anything yet. */
const APPLICATIONS = `
INSERT INTO teams (id, name, updated_at) VALUES ('T01', '城东班', 1);
INSERT INTO handlers (id, name, phone, team_id, role, updated_at) VALUES ('H001', '李明', '13912345678', 'T01', 'handler', 1);
INSERT INTO applications (application_no, account_no, customer_name, process_code, address, phone, query_code_hmac, accepted_at,
    status, source_digest, plan_feasible, plan_basis, plan_compressed, planned_on, created_at, updated_at) VALUES
  ('YX2026-0001', '5300123456', '张三', 'lv_resident', '城东路1号', '13800001111', 'h1', ${NOW - 12 * DAY}, 'active', 'd1', TRUE, 'typical', FALSE, '2026-11-17', 1, 1),
  ('YX2026-0002', '5300123457', '李四', 'lv_resident', '城东路2号', '13800002222', 'h2', ${NOW - 12 * DAY}, 'active', 'd2', TRUE, 'typical', FALSE, '2026-11-17', 1, 1),
  ('YX2026-0003', '5300123458', '王五', 'lv_resident', '城东路3号', '13800003333', 'h3', ${NOW - 12 * DAY}, 'active', 'd3', TRUE, 'typical', FALSE, '2026-11-17', 1, 1);
INSERT INTO application_steps (application_no, step_code, position, status, handler_id, actual_start, actual_end) VALUES
  ('YX2026-0001', 'accept', 0, 'done', 'H001', ${NOW - 12 * DAY}, ${NOW - 11 * DAY}),
  ('YX2026-0001', 'survey', 1, 'pending', NULL, NULL, NULL),
  ('YX2026-0001', 'connect', 2, 'pending', NULL, NULL, NULL),
  ('YX2026-0002', 'accept', 0, 'pending', NULL, NULL, NULL),
  ('YX2026-0002', 'survey', 1, 'pending', NULL, NULL, NULL),
  ('YX2026-0002', 'connect', 2, 'pending', NULL, NULL, NULL),
  ('YX2026-0003', 'accept', 0, 'pending', NULL, NULL, NULL),
  ('YX2026-0003', 'survey', 1, 'pending', NULL, NULL, NULL),
  ('YX2026-0003', 'connect', 2, 'pending', NULL, NULL, NULL);
`;

/** An in-progress step due a day ago whose alert is owed now. */
const owingStep = (applicationNo: string, stepCode: string, position: number) => `
INSERT INTO application_steps (application_no, step_code, position, status, handler_id, actual_start, due_at, alert_at)
  VALUES ('${applicationNo}', '${stepCode}', ${position}, 'in_progress', 'H001', ${NOW - 10 * DAY}, ${NOW - DAY}, ${NOW - DAY})
  ON CONFLICT (application_no, step_code) DO UPDATE SET status = 'in_progress', actual_start = ${NOW - 10 * DAY}, due_at = ${NOW - DAY}, alert_at = ${NOW - DAY};`;

describe('the sweeper lease on PostgreSQL', () => {
  let target: TestPostgres;
  const cleanup: (() => Promise<void>)[] = [];
  const logs: (() => Record<string, unknown>[])[] = [];

  beforeEach(async () => {
    target = await freshPostgresDatabase();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await target.drop();
  });

  /**
   * An instance: the app on a PostgreSQL backend of its own (pool, sweeper lease, hub) and its clock at NOW, its
   * sweeper running the SLA sweep (and the other timed jobs) every 100 ms while it holds the lease; `sweeps` counts
   * the sweeps it ran to the end.
   */
  async function instance(): Promise<{ sweeper: Sweeper; lease: Lease; sweeps: () => number; database: PostgresDatabase }> {
    const backend = await openPostgresBackend({ url: target.url, leaseRetryMs: 30 });
    const lines: string[] = [];
    logs.push(() => lines.map((line) => JSON.parse(line) as Record<string, unknown>));
    const t = await buildTestApp({
      now: NOW,
      env: { SLA_SWEEP_INTERVAL_MS: '100' },
      deps: { backend, startDispatcher: false, logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } },
    });
    let sweeps = 0;
    const { sweeper } = t.app.timeLimits;
    sweeper.add({ name: 'counted', run: () => void sweeps++ });
    cleanup.push(async () => {
      await t.app.close();
      await backend.close();
    });
    return { sweeper, lease: backend.leases.sweeper, sweeps: () => sweeps, database: backend.database };
  }

  // the steps' alerts (an application's own, on its total limit, have no step); each raised once whatever its kind
  const alertsOf = async (database: PostgresDatabase) => {
    const { rows } = await database.pool.query<{ application_no: string; step_code: string; level: string; raised: number }>(
      'SELECT application_no, step_code, level, count(*)::int AS raised FROM alerts GROUP BY application_no, step_code, level ORDER BY application_no, step_code',
    );
    expect(rows.every((row) => row.raised === 1)).toBe(true);
    return rows.filter((row) => row.step_code !== '').map(({ raised: _raised, ...alert }) => alert);
  };

  it('runs the sweep only on the holder, raises each alert once, and hands the sweep over when the holder closes', async () => {
    const setup = await openPostgres(target.url);
    await setup.pool.query(APPLICATIONS + owingStep('YX2026-0001', 'survey', 1) + owingStep('YX2026-0003', 'accept', 0));
    await setup.close();
    const a = await instance();
    const b = await instance();

    await eventually(() => a.lease.held() || b.lease.held(), 'a holder', 10_000);
    const [holder, other] = a.lease.held() ? [a, b] : [b, a];
    await eventually(() => holder.sweeps() >= 5, 'the holder to sweep a few times', 10_000);
    // both told to sweep at once, as two timers firing together
    await Promise.all([a.sweeper.sweep(), b.sweeper.sweep()]);

    expect(logs.flatMap((entries) => entries()).filter((e) => e.msg === 'sweep task failed')).toEqual([]);
    expect(other.sweeps()).toBe(0);
    expect([holder.sweeper.holds(), other.sweeper.holds()]).toEqual([true, false]);
    expect(await alertsOf(holder.database)).toEqual([
      { application_no: 'YX2026-0001', step_code: 'survey', level: 'overdue' },
      { application_no: 'YX2026-0003', step_code: 'accept', level: 'overdue' },
    ]);

    // the holder stops: the other takes the lease and the sweep over, and raises what falls owing from then on
    // counted once stopped: stop() waits for a sweep under way, which counts itself at its end
    await holder.sweeper.stop();
    const swept = holder.sweeps();
    await holder.lease.close();
    await eventually(() => other.lease.held(), 'the other to take the lease over', 10_000);
    await other.database.pool.query(owingStep('YX2026-0002', 'accept', 0));
    // a sweep begun after that step fell owing has ended once the next one begins
    const sweptBefore = other.sweeps();
    await eventually(() => other.sweeps() >= sweptBefore + 2, 'the new holder to sweep', 10_000);
    expect(holder.sweeps()).toBe(swept);
    expect(await alertsOf(other.database)).toEqual([
      { application_no: 'YX2026-0001', step_code: 'survey', level: 'overdue' },
      { application_no: 'YX2026-0002', step_code: 'accept', level: 'overdue' },
      { application_no: 'YX2026-0003', step_code: 'accept', level: 'overdue' },
    ]);
  });
});

describe('the Wechaty bot lease on PostgreSQL', () => {
  let target: TestPostgres;
  beforeEach(async () => {
    target = await freshPostgresDatabase();
  });
  afterEach(() => target.drop());

  /** A hurry receipt to one WeChat contact, written as the hurry service writes it. */
  async function queueWeChatNotice(t: TestApp, contactId: string): Promise<string> {
    const application = (await t.app.stores.applications.application(APPLICATION_NO))!;
    const [id] = await t.app.transact((stores) =>
      t.app.notices.writer.queue(stores, 'hurry_received', { kind: 'customer', application, only: { channel: 'wechat', address: contactId } }, { applicationNo: APPLICATION_NO, reference: 'CB2611240001', stepName: '供电方案答复' }),
    );
    t.app.notices.dispatcher.wake();
    return id!;
  }
  const started = (wx: MockWechat) => wx.bot.state.active() === true;

  it('runs the bot only on the instance holding the lease, stops it when that one closes, and starts it on the new holder', async () => {
    const fake = await fakeTwilioForTest();
    const lease = () => createLease({ url: target.url, name: LEASE_NAMES.wechatBot, retryMs: 30 });
    const wxA = createMockWechat();
    const a = await chatApp(fake, { deps: { wechaty: wxA.bot, leases: { sweeper: soleLease(LEASE_NAMES.sweeper), wechatBot: lease() } } });
    await eventually(() => started(wxA), "A's bot to start", 10_000);
    const wxB = createMockWechat();
    const leaseB = lease();
    const b = await chatApp(fake, { deps: { wechaty: wxB.bot, leases: { sweeper: soleLease(LEASE_NAMES.sweeper), wechatBot: leaseB } } });
    // B tries for the lease every 30 ms meanwhile
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([started(wxA), started(wxB)]).toEqual([true, false]);

    // a WeChat text on B waits for a bot: not sent through a bot that is not running, not failed
    const customer = wxB.createContact({ name: '王女士' });
    const inbox = wxB.inboxOf(customer);
    const id = await queueWeChatNotice(b, customer.id);
    await b.app.notices.dispatcher.idle();
    expect(b.outbox.byId(id)).toMatchObject({ status: 'pending', attempts: 0 });

    // A closes: its bot stops, B takes the lease, starts its bot and delivers the text
    await a.app.close();
    expect(started(wxA)).toBe(false);
    await eventually(() => leaseB.held() && started(wxB), "B's bot to start", 10_000);
    await wxB.login();
    b.clock.advance(60_000);
    b.app.notices.dispatcher.wake();
    await b.app.notices.dispatcher.idle();
    expect((await inbox.waitFor(1))[0]!.text).toContain('CB2611240001');
    expect(b.outbox.byId(id)).toMatchObject({ status: 'delivered' });

    await b.app.close();
    expect(started(wxB)).toBe(false);
  });
});
