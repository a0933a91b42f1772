// Step notices over WeChat: the real app with a real Wechaty bot on wechaty-puppet-mock, contacts bound to the account.
import { describe, expect, it } from 'vitest';
import { createMockWechat } from '../support/wechaty-mock.ts';
import {
  buildNoticeApp,
  fakeTwilioForTest,
  hvDualBeforeDesignReview,
  postEvents,
  rowsOfKind,
  started,
} from '../support/notices.ts';

const ACCOUNT_NO = '5300123456';

const DESIGN_REVIEW_WECHAT = [
  '玉*********，您好！您的用电申请已进入新环节。',
  '工单号：YX2026-0001',
  '业务类型：高压新装增容（双电源）',
  '当前环节：设计文件审核，预计11月26日（周四）前完成',
  '请您配合：',
  '1. 提交受电工程设计文件及设计单位资质证明',
  '下一环节：客户受电工程施工，预计11月27日（周五）开始',
  '预计接电日期：2027年1月27日（周三）',
  '办理人：李*，工作电话13912345678',
].join('\n');

async function appWithWechat() {
  const fake = await fakeTwilioForTest();
  // the app starts the bot when it is ready and stops it when it closes
  const wx = createMockWechat();
  const t = await buildNoticeApp(fake, { deps: { wechaty: wx.bot } });
  await wx.login();
  return { fake, t, wx };
}

describe('step notices over WeChat', () => {
  it('a contact bound to the account receives the step_started notice through Wechaty', async () => {
    const { fake, t, wx } = await appWithWechat();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await t.app.stores.bindings.bind({ channel: 'wechat', address: customer.id, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    await hvDualBeforeDesignReview(t);
    const plans = inbox.messages.length;

    await postEvents(t, [started('YX2026-0001', 'design_review', '2026-11-24T09:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    const messages = await inbox.waitFor(plans + 1);
    expect(messages.slice(plans).map((m) => [m.from, m.text])).toEqual([[wx.botUser.id, DESIGN_REVIEW_WECHAT]]);
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started', 'wechat');
    expect(row).toMatchObject({ address: customer.id, status: 'delivered', attempts: 1, provider: 'wechaty', text: DESIGN_REVIEW_WECHAT });
    // the SMS to the application's phone goes as well, once
    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started', 'sms')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.body?.includes('设计文件审核'))).toHaveLength(1);
  });

  it('an opted-out contact gets nothing while another contact of the account does', async () => {
    const { t, wx } = await appWithWechat();
    const optedOut = wx.createContact({ name: '张先生' });
    const other = wx.createContact({ name: '王女士' });
    const optedOutInbox = wx.inboxOf(optedOut);
    const otherInbox = wx.inboxOf(other);
    const now = t.clock.now();
    await t.app.stores.bindings.bind({ channel: 'wechat', address: optedOut.id, accountNo: ACCOUNT_NO, at: now, applicationNos: null });
    await t.app.stores.bindings.bind({ channel: 'wechat', address: other.id, accountNo: ACCOUNT_NO, at: now, applicationNos: null });
    await t.app.stores.outbox.optOut('wechat', optedOut.id, now, 'chat:退订');

    await hvDualBeforeDesignReview(t);
    await postEvents(t, [started('YX2026-0001', 'design_review', '2026-11-24T09:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    // the plan's small move as the plan reply completed rides along in the step notice (PLAN_CHANGE_MIN_WORKDAYS)
    const received = await otherInbox.waitFor(2);
    expect(received.map((m) => m.text?.split('\n')[0])).toEqual([
      '玉*********，您好！您的用电申请（YX2026-0001）接电计划已制定。',
      '玉*********，您好！您的用电申请已进入新环节。',
    ]);
    expect(optedOutInbox.messages).toEqual([]);
    expect((await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.address === optedOut.id)).toEqual([]);
  });

  it('a contact who opts out after a notice was queued does not receive it', async () => {
    const { t, wx } = await appWithWechat();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await t.app.stores.bindings.bind({ channel: 'wechat', address: customer.id, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    await hvDualBeforeDesignReview(t);
    await t.app.notices.dispatcher.stop();

    await postEvents(t, [started('YX2026-0001', 'design_review', '2026-11-24T09:30:00+08:00')]);
    await t.app.stores.outbox.optOut('wechat', customer.id, t.clock.now(), 'chat:退订');
    const before = inbox.messages.length;
    t.app.notices.dispatcher.start();
    await t.app.notices.dispatcher.idle();

    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started', 'wechat');
    expect(row).toMatchObject({ status: 'failed', attempts: 0, lastError: 'opted out' });
    expect(inbox.messages.length).toBe(before);
  });
});
