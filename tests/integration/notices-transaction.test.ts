// Notices are written in the transaction of the event that causes them: both stand or fall together.
import { describe, expect, it } from 'vitest';
import type { IngestChanges } from '../../server/applications/ingest.ts';
import {
  buildNoticeApp,
  fakeTwilioForTest,
  hvDualBeforeDesignReview,
  outboxOf,
  putApplication,
  putHandler,
  requestsFor,
  rowsOfKind,
  started,
} from '../support/notices.ts';

describe('notices and the ingest transaction', () => {
  it('a sync that fails after its notices were written leaves neither the step change nor the notice; the retry sends it once', async () => {
    const fake = await fakeTwilioForTest();
    let failNext = false;
    // Runs inside the ingest transaction after the notice writer (a later failure in the same fact: an alert
    // insert, a constraint): the whole transaction must roll back, outbox rows included.
    const failing = (changes: IngestChanges) => {
      if (failNext && changes.startedSteps.length > 0) {
        failNext = false;
        throw new Error('simulated failure after the notices were written');
      }
    };
    const t = await buildNoticeApp(fake, { deps: { ingestHooks: { inTransaction: [failing] } } });
    await hvDualBeforeDesignReview(t);
    const sentBefore = fake.requests.length;
    const event = started('YX2026-0001', 'design_review', '2026-11-24T09:30:00+08:00');

    failNext = true;
    const failed = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events: [event] } });
    await t.app.notices.dispatcher.idle();

    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('simulated failure');
    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started')).toEqual([]);
    expect(fake.requests.length).toBe(sentBefore);
    expect((await t.app.stores.applications.steps('YX2026-0001')).find((s) => s.stepCode === 'design_review')).toMatchObject({ status: 'pending' });

    // the marketing system retries the same batch: the event is new (nothing of it was kept) and is notified once
    const retried = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events: [event] } });
    await t.app.notices.dispatcher.idle();

    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const rows = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(rows).toHaveLength(1);
    expect(requestsFor(fake, rows[0]!.id)).toHaveLength(1);
    expect(fake.requests.length).toBe(sentBefore + 1);
  });

  it('the outbox rows exist, one per recipient and channel, when the sync request answers, before anything is sent', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { deps: { startDispatcher: false } });
    await putHandler(t);
    await putApplication(t, 'YX2026-0001', { processCode: 'hv_dual', requestedConnectDate: undefined });
    // two WeChat contacts bound to the account (one bound twice over: still one row), one of them opted out
    await t.app.stores.bindings.bind({ channel: 'wechat', address: 'wxid_customer_a', accountNo: '5300123456', at: t.clock.now(), applicationNos: null });
    await t.app.stores.bindings.bind({ channel: 'wechat', address: 'wxid_customer_a', accountNo: '5300123456', at: t.clock.now() + 1, applicationNos: null });
    await t.app.stores.bindings.bind({ channel: 'wechat', address: 'wxid_customer_b', accountNo: '5300123456', at: t.clock.now(), applicationNos: null });
    await t.app.stores.outbox.optOut('wechat', 'wxid_customer_b', t.clock.now(), 'test');

    const reply = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sync/events',
      headers: t.sync,
      payload: { events: [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')] },
    });

    expect(reply.statusCode).toBe(200);
    const rows = (await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.noticeKind === 'step_started');
    expect(rows.map((r) => [r.channel, r.address, r.status, r.attempts]).sort()).toEqual([
      ['sms', '13800001111', 'pending', 0],
      ['wechat', 'wxid_customer_a', 'pending', 0],
    ]);
    expect(fake.requests).toEqual([]);
  });
});

describe('notices queued in a unit of work', () => {
  const plan = {
    customerName: '玉溪某某食品有限公司',
    applicationNo: 'YX2026-0002',
    expectedConnectDate: '2026-12-18',
    requestedConnectDate: null,
    feasible: true,
    earliestFeasibleDate: null,
  };

  /** An application with two WeChat contacts bound to its account, one of whom muted it. */
  async function boundAndMuted(t: Awaited<ReturnType<typeof buildNoticeApp>>) {
    await putHandler(t);
    await putApplication(t, 'YX2026-0002', { processCode: 'lv_resident', requestedConnectDate: undefined });
    for (const address of ['wxid_customer_a', 'wxid_customer_b']) {
      await t.app.stores.bindings.bind({ channel: 'wechat', address, accountNo: '5300123456', at: t.clock.now(), applicationNos: null });
    }
    await t.app.stores.mutes.mute('YX2026-0002', 'wechat', 'wxid_customer_b', 'test', t.clock.now());
    const application = { applicationNo: 'YX2026-0002', accountNo: '5300123456', phone: '13800001111', processCode: 'lv_resident' };
    const before = (await outboxOf(t, 'YX2026-0002')).map((r) => r.id);
    return { application, newRows: async () => (await outboxOf(t, 'YX2026-0002')).filter((r) => !before.includes(r.id)) };
  }

  it('a unit of work that queues a notice and then throws leaves no outbox row, and nothing is sent', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    const { application, newRows } = await boundAndMuted(t);
    await t.app.notices.dispatcher.idle();
    const sentBefore = fake.requests.length;

    let queued: string[] = [];
    await expect(
      t.app.transact(async (stores) => {
        queued = await t.app.notices.writer.queue(stores, 'plan_created', { kind: 'customer', application }, plan);
        throw new Error('a later write of the same fact failed');
      }),
    ).rejects.toThrow('a later write of the same fact failed');
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    // the body did write its rows (the phone and the contact that did not mute), and the rollback took them away
    expect(queued).toHaveLength(2);
    expect(await newRows()).toEqual([]);
    expect(await Promise.all(queued.map((id) => t.app.stores.outbox.byId(id)))).toEqual([null, null]);
    expect(fake.requests.length).toBe(sentBefore);
  });

  it('a notice queued in a unit of work is written with it and sent once, after the commit', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    const { application, newRows } = await boundAndMuted(t);
    await t.app.notices.dispatcher.idle();
    const sentBefore = fake.requests.length;

    const ids = await t.app.transact(async (stores) => {
      const queued = await t.app.notices.writer.queue(stores, 'plan_created', { kind: 'customer', application }, plan);
      // inside the unit of work the rows are there and nothing has gone out
      expect((await stores.outbox.ofApplication('YX2026-0002')).filter((r) => queued.includes(r.id)).map((r) => r.status)).toEqual(['pending', 'pending']);
      expect(fake.requests.length).toBe(sentBefore);
      return queued;
    });
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    expect((await newRows()).map((r) => [r.channel, r.address, r.status]).sort()).toEqual([
      ['sms', '13800001111', 'sent'],
      // the WeChat channel without credentials is the log adapter, which reports delivery at once
      ['wechat', 'wxid_customer_a', 'delivered'],
    ]);
    const sms = (await newRows()).find((r) => r.channel === 'sms')!;
    expect(ids).toContain(sms.id);
    expect(requestsFor(fake, sms.id)).toHaveLength(1);
    expect(fake.requests.length).toBe(sentBefore + 1);
  });
});
