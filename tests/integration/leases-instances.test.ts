// One instance at a time for timed work, on one PostgreSQL database: two instances' sweepers, each with the SLA sweep
// over its own pool and the sweeper lease (db/postgres/lease.ts), run at once; only the holder sweeps, each alert is
// raised once, and when the holder closes the other takes the sweep over. The Wechaty bot starts only on the instance
// holding its lease, stops when it loses it, and WeChat rows wait for the instance whose bot is logged in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createLease, type Lease } from '../../db/postgres/lease.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { soleLease } from '../../db/sqlite/lease.ts';
import { LEASE_NAMES } from '../../server/lease.ts';
import { createInProcessHub } from '../../server/realtime/hub.ts';
import { createAlertService } from '../../server/time-limits/alerts.ts';
import { createSlaService } from '../../server/time-limits/sla.ts';
import { createSweeper, type Sweeper } from '../../server/time-limits/sweeper.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { recordingLogger } from '../support/logger.ts';
import { eventually, fakeTwilioForTest } from '../support/notices.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';
import { STORE_CONTRACT_ROWS } from '../support/store-contract.ts';
import { createMockWechat, type MockWechat } from '../support/wechaty-mock.ts';
import { APPLICATION_NO, chatApp } from '../support/chat.ts';

// Sunday 29 November 2026, 03:00 in Shanghai: outside working time, so the alerts raised wait for Monday to be texted
const NOW = Date.parse('2026-11-29T03:00:00+08:00');
const DAY = 86_400_000;


/** An in-progress step due a day ago whose alert is owed now. */
const owingStep = (applicationNo: string, stepCode: string, position: number) => `
INSERT INTO application_steps (application_no, step_code, position, status, handler_id, actual_start, due_at, alert_at)
  VALUES ('${applicationNo}', '${stepCode}', ${position}, 'in_progress', 'H001', ${NOW - 10 * DAY}, ${NOW - DAY}, ${NOW - DAY})
  ON CONFLICT (application_no, step_code) DO UPDATE SET status = 'in_progress', actual_start = ${NOW - 10 * DAY}, due_at = ${NOW - DAY}, alert_at = ${NOW - DAY};`;

describe('the sweeper lease on PostgreSQL', () => {
  let target: TestPostgres;
  let t: TestApp;
  const cleanup: (() => Promise<void>)[] = [];
  const logs: (() => Record<string, unknown>[])[] = [];

  beforeEach(async () => {
    target = await freshPostgresDatabase();
    // the reference data, calendar and clock the SLA sweep reads (its alerts are PostgreSQL's)
    t = await buildTestApp({ now: NOW, deps: { startDispatcher: false, startSweeper: false } });
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await target.drop();
  });

  /** An instance: its pool, its lease, and its sweeper running the SLA sweep every 20 ms while it holds the lease. */
  async function instance(): Promise<{ sweeper: Sweeper; lease: Lease; sweeps: () => number; database: PostgresDatabase }> {
    const database = await openPostgres(target.url);
    const lease = createLease({ url: target.url, name: LEASE_NAMES.sweeper, retryMs: 30 });
    const { stores, transact } = createPostgresStores(database);
    const ctx = t.app.jiedian.context;
    const { logger, entries } = recordingLogger();
    logs.push(entries);
    const sla = createSlaService({
      ctx,
      alerts: createAlertService(ctx, stores, transact, createInProcessHub()),
      notices: t.app.notices.writer,
      workingHours: { periods: t.config.workingHours },
      log: logger,
      wakeDispatcher: () => undefined,
      transaction: transact,
    });
    let sweeps = 0;
    const sweeper = createSweeper({
      intervalMs: 20,
      log: logger,
      lease,
      tasks: [
        {
          name: 'sla alerts',
          run: async () => {
            sweeps++;
            await sla.sweep();
          },
        },
      ],
    });
    sweeper.start();
    cleanup.push(async () => {
      await sweeper.stop();
      await lease.close();
      await database.close();
    });
    return { sweeper, lease, sweeps: () => sweeps, database };
  }

  const alertsOf = async (database: PostgresDatabase) =>
    (await database.pool.query<{ application_no: string; step_code: string; level: string }>('SELECT application_no, step_code, level FROM alerts ORDER BY application_no, step_code'))
      .rows;

  it('runs the sweep only on the holder, raises each alert once, and hands the sweep over when the holder closes', async () => {
    const setup = await openPostgres(target.url);
    await setup.pool.query(STORE_CONTRACT_ROWS + owingStep('YX2026-0001', 'survey', 1) + owingStep('YX2026-0003', 'accept', 0));
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
    const swept = holder.sweeps();
    await holder.sweeper.stop();
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
