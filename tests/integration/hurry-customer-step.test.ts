// A customer-side step (客户受电工程施工) is the customer's own work: nobody at the utility can be hurried for it.
// The hurry service refuses it, so every channel does: the kiosk's POST …/hurry, and 催办 in SMS, WeChat and kiosk chat.
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../server/app.ts';
import type { TestApp } from '../support/app.ts';
import { completed, fakeTwilioForTest, postEvents, started } from '../support/notices.ts';
import { createMockWechat } from '../support/wechaty-mock.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp, kiosk, postSms , kioskViewToken as viewToken } from '../support/chat.ts';

/** chatApp's hv_single application moved on to construction (the customer's work) since 2026-11-24 09:00. */
async function inConstruction(deps: Partial<AppDeps> = {}) {
  const fake = await fakeTwilioForTest();
  const t = await chatApp(fake, { deps });
  await postEvents(t, [
    completed(APPLICATION_NO, 'plan_reply', '2026-11-24T09:10:00+08:00'),
    started(APPLICATION_NO, 'design_review', '2026-11-24T09:20:00+08:00'),
    completed(APPLICATION_NO, 'design_review', '2026-11-24T09:40:00+08:00'),
    started(APPLICATION_NO, 'construction', '2026-11-24T09:50:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
  return { fake, t };
}


/** nothing recorded, nothing queued: no hurry, no receipt to the customer, no text to a handler */
async function nothingHurried(t: TestApp) {
  expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toEqual([]);
  const kinds = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).map((r) => r.noticeKind);
  expect(kinds.filter((k) => k === 'hurry_received' || k === 'hurry_for_handler' || k === 'escalation')).toEqual([]);
}

const CHAT_REFUSAL =
  '当前环节“客户受电工程施工”由您方自行办理，供电公司无法催办。请委托具备资质的施工单位按审核通过的设计施工；具备中间检查条件时，请联系经办人申请中间检查。如需帮助请回复“人工”。';

describe('a hurry on a customer-side step', () => {
  it('is refused at the kiosk with 409 JD_CONFLICT naming the step, what the customer is to do, and the next step', async () => {
    const { t } = await inConstruction();
    const token = await viewToken(t);
    // the page has what it needs to hide the button: the current step's side
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/progress/${APPLICATION_NO}`, headers: { authorization: `Bearer ${token}` } });
    expect(view.json().application.currentStep).toMatchObject({ code: 'construction', side: 'customer', status: 'in_progress' });

    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/applications/${APPLICATION_NO}/hurry`,
      headers: { authorization: `Bearer ${token}`, 'x-jiedian-channel': 'kiosk' },
      payload: { message: '请快点' },
    });
    expect(reply.statusCode).toBe(409);
    expect(reply.json()).toEqual({
      statusCode: 409,
      code: 'JD_CONFLICT',
      error: 'Conflict',
      message: `the current step of ${APPLICATION_NO}, construction (客户受电工程施工), is the customer's own work and cannot be hurried; once it is done, ask the handler for mid_inspection (中间检查)`,
      side: 'customer',
      stepCode: 'construction',
      stepName: '客户受电工程施工',
      customerTasks: ['委托具备资质的施工单位按审核通过的设计施工'],
      nextStep: { code: 'mid_inspection', name: '中间检查' },
    });
    await t.app.notices.dispatcher.idle();
    await nothingHurried(t);
  });

  it('is refused in the kiosk chat with a plain answer, not an error', async () => {
    const { t } = await inConstruction();
    const reply = await kiosk(t, 'kiosk-session-0123456789abcdef', '催一下', { authorization: `Bearer ${await viewToken(t)}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ intent: 'hurry', replies: [CHAT_REFUSAL] });
    await nothingHurried(t);
  });

  it('is refused over SMS (CB) within one SMS reply', async () => {
    const { t } = await inConstruction();
    const from = '+8613700007777';
    await postSms(t, from, '绑定 5300123456');
    expect((await postSms(t, from, QUERY_CODE)).text).toContain('绑定成功');
    const reply = await postSms(t, from, 'CB');
    expect(reply.text).toBe(`【接电助手】${CHAT_REFUSAL}`);
    await t.app.notices.dispatcher.idle();
    await nothingHurried(t);
  });

  it('is refused over WeChat', async () => {
    const wx = createMockWechat();
    const { t } = await inConstruction({ wechaty: wx.bot });
    await wx.login();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    const say = async (text: string) => {
      const before = inbox.messages.length;
      wx.say(customer, text);
      return (await inbox.waitFor(before + 1, 3000)).slice(before).map((m) => m.text ?? '');
    };
    await say('绑定 5300123456');
    expect((await say(`查询密码${QUERY_CODE}`))[0]).toContain('绑定成功');
    expect(await say('能不能快点')).toEqual([CHAT_REFUSAL]);
    await t.app.notices.dispatcher.idle();
    await nothingHurried(t);
  });
});
