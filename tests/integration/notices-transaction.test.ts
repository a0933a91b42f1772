// Notices are written in the transaction of the event that causes them: both stand or fall together.
import { describe, expect, it } from 'vitest';
import type { IngestChanges } from '../../server/applications/ingest.ts';
import {
  buildNoticeApp,
  fakeTwilioForTest,
  hvDualBeforeDesignReview,
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
    expect(rowsOfKind(t, 'YX2026-0001', 'step_started')).toEqual([]);
    expect(fake.requests.length).toBe(sentBefore);
    expect(t.app.jiedian.context.store.steps('YX2026-0001').find((s) => s.stepCode === 'design_review')).toMatchObject({ status: 'pending' });

    // the marketing system retries the same batch: the event is new (nothing of it was kept) and is notified once
    const retried = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events: [event] } });
    await t.app.notices.dispatcher.idle();

    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const rows = rowsOfKind(t, 'YX2026-0001', 'step_started');
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
    t.outbox.optOut('wechat', 'wxid_customer_b', t.clock.now(), 'test');

    const reply = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sync/events',
      headers: t.sync,
      payload: { events: [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')] },
    });

    expect(reply.statusCode).toBe(200);
    const rows = t.outbox.ofApplication('YX2026-0001').filter((r) => r.noticeKind === 'step_started');
    expect(rows.map((r) => [r.channel, r.address, r.status, r.attempts]).sort()).toEqual([
      ['sms', '13800001111', 'pending', 0],
      ['wechat', 'wxid_customer_a', 'pending', 0],
    ]);
    expect(fake.requests).toEqual([]);
  });
});
