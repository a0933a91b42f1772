// The WeChat bot inside the app: a dropped session and its return (reconnect), and the WeChat send rate.
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import { createMockWechat, type Inbox, type MockWechat } from '../support/wechaty-mock.ts';
import { fakeTwilioForTest } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, chatApp, wechatChatApp } from '../support/chat.ts';
import type { TestApp } from '../support/app.ts';
import { askWechat } from '../support/wechaty-mock.ts';

const ask = async (wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string) => (await askWechat(wx, contact, inbox, text))[0] ?? '';


/** A hurry receipt to one WeChat contact, written as the hurry service writes it. */
async function queueWeChatNotice(t: TestApp, contactId: string, reference: string): Promise<string> {
  const application = (await t.app.stores.applications.application(APPLICATION_NO))!;
  const [id] = await t.app.transact((stores) =>
    t.app.notices.writer.queue(stores, 'hurry_received', { kind: 'customer', application, only: { channel: 'wechat', address: contactId } }, { applicationNo: APPLICATION_NO, reference, stepName: '供电方案答复' }),
  );
  t.app.notices.dispatcher.wake();
  return id!;
}

const rowsOf = (t: TestApp, ids: string[]) => Promise.all(ids.map(async (id) => (await t.app.stores.outbox.byId(id))!));

describe('the WeChat bot in the app', () => {
  it('comes back after the WeChat session drops: it answers again and delivers what was queued meanwhile', async () => {
    const fake = await fakeTwilioForTest();
    const { t, wx, customer, inbox } = await wechatChatApp(fake);
    await t.app.stores.bindings.bind({ channel: 'wechat', address: customer.id, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    expect(await ask(wx, customer, inbox, '停电了找谁')).toContain('95598');

    await wx.logout();
    const id = await queueWeChatNotice(t, customer.id, 'CB2611240001');
    await t.app.notices.dispatcher.idle();
    // not lost and not failed: waiting for a retry
    expect(await t.app.stores.outbox.byId(id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'WeChat bot is not logged in' });

    await wx.login();
    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    const messages = await inbox.waitFor(2, 3000);
    expect(messages[1]!.text).toContain('CB2611240001');
    expect(await t.app.stores.outbox.byId(id)).toMatchObject({ status: 'delivered', attempts: 2 });

    // the message handler survived the new login
    expect(await ask(wx, customer, inbox, '进度')).toContain(APPLICATION_NO);
  });

  it('paces WeChat sends to WECHAT_MESSAGES_PER_SECOND and queues the rest', async () => {
    const fake = await fakeTwilioForTest();
    const wx = createMockWechat();
    const t = await chatApp(fake, { env: { WECHAT_MESSAGES_PER_SECOND: '1' }, deps: { wechaty: wx.bot } });
    await wx.login();
    const customer = wx.createContact();
    const inbox = wx.inboxOf(customer);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await queueWeChatNotice(t, customer.id, `CB261124000${n}`));

    const deliveredAfter = async (ms: number) => {
      t.clock.advance(ms);
      t.app.notices.dispatcher.wake();
      await t.app.notices.dispatcher.idle();
      return (await rowsOf(t, ids)).filter((row) => row.status === 'delivered').length;
    };
    expect([await deliveredAfter(0), await deliveredAfter(999), await deliveredAfter(1), await deliveredAfter(1000)]).toEqual([1, 1, 2, 3]);
    await inbox.waitFor(3, 3000);
    expect((await rowsOf(t, ids)).map((row) => row.attempts)).toEqual([1, 1, 1]);
  });
});
