// The dispatcher's bound on sends in flight (DISPATCH_CONCURRENCY), against a fake Twilio that answers slowly.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';

describe('dispatch concurrency', () => {
  it('keeps at most DISPATCH_CONCURRENCY sends in flight and sends the rest as answers come back', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { env: { DISPATCH_CONCURRENCY: '2' } });
    fake.failNext(6, { delayMs: 150 });
    const application = { applicationNo: 'YX2026-0009', accountNo: '5300999999', phone: '13800009999', processCode: 'lv_resident' };
    await t.app.transact(async (stores) => {
      for (let i = 0; i < 6; i++) {
        await t.app.notices.writer.queue(stores, 'bind_code', { kind: 'customer', application, only: { channel: 'sms', address: `1380000100${i}` } }, { code: `20000${i}`, validMinutes: 10 });
      }
    });
    t.app.notices.dispatcher.wake();

    let most = 0;
    const deadline = Date.now() + 5000;
    while (fake.messages.length < 6 && Date.now() < deadline) {
      most = Math.max(most, fake.requests.filter((r) => r.outcome === null).length, t.app.notices.dispatcher.inFlight());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await t.app.notices.dispatcher.idle();

    expect(most).toBe(2);
    expect(fake.requests).toHaveLength(6);
    expect(fake.requests.every((r) => r.outcome === 201)).toBe(true);
    expect(await t.app.stores.outbox.countsByChannelAndStatus()).toEqual([{ channel: 'sms', status: 'sent', count: 6 }]);
  });
});
