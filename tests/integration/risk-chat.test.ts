// Complaint language and the satisfaction follow-up through the chatbot: a complaint in WeChat raises an urgent risk
// item and texts the team lead once; switching on asks for a rating; a low one opens a risk item for a person.
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import { createMockWechat, type Inbox, type MockWechat } from '../support/wechaty-mock.ts';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { completed, eventually, fakeTwilioForTest, postEvents, started } from '../support/notices.ts';
import { APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, chatApp, postSms, switchOn } from '../support/chat.ts';

const at = (iso: string) => Date.parse(iso);
const LEAD_PHONE = '+8613900009999';

async function ask(wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string): Promise<string> {
  const before = inbox.messages.length;
  wx.say(contact, text);
  const messages = await inbox.waitFor(before + 1, 3000);
  return messages[before]!.text ?? '';
}

async function boundWeChat(options: { now?: number; startSweeper?: boolean } = {}) {
  const fake = await fakeTwilioForTest();
  const wx = createMockWechat();
  const t = await chatApp(fake, { now: options.now, deps: { wechaty: wx.bot, startSweeper: options.startSweeper ?? false } });
  await wx.login();
  const customer = wx.createContact({ name: '王女士' });
  const inbox = wx.inboxOf(customer);
  await ask(wx, customer, inbox, '绑定 5300123456');
  expect(await ask(wx, customer, inbox, QUERY_CODE)).toContain('绑定成功');
  return { fake, t, wx, customer, inbox };
}

const leadTexts = (fake: FakeTwilio) => fake.requests.filter((r) => r.to === LEAD_PHONE && r.body?.includes('紧急风险'));

describe('complaint language in chat', () => {
  it('"再不处理我就打12398投诉" in WeChat raises a 紧急 item, answers with an apology, who is responsible and a reference, and texts the team lead once', async () => {
    const { fake, t, wx, customer, inbox } = await boundWeChat();

    const answer = await ask(wx, customer, inbox, '再不处理我就打12398投诉');
    const reference = /编号(ZX\d{10})/.exec(answer)?.[1];
    expect(reference).toBeDefined();
    expect(answer).toContain('抱歉');
    expect(answer).toContain('李*');
    expect(answer).toContain('13912345678');

    const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
    expect(item).toMatchObject({ tier: 'urgent', tierName: '紧急', status: 'open', teamId: 'T01' });
    expect(item.signals).toEqual([expect.objectContaining({ kind: 'complaint', source: 'wechat', rules: ['complaint_language'], detail: '再不处理我就打12398投诉' })]);
    // a person is asked to call back: the consult is in the team lead's queue
    expect((await t.app.chat.consults.queue({ role: 'team_lead', handlerId: 'H009', teamId: 'T01', name: '王建国', teamName: '业扩一班' } as never)).map((c) => c.id)).toContain(reference);

    await t.app.notices.dispatcher.idle();
    await eventually(() => leadTexts(fake).length === 1, 'the team lead text');
    expect(leadTexts(fake)[0]!.body).toContain(APPLICATION_NO);

    // more complaint language: the item stays urgent, and the lead is not texted again
    expect(await ask(wx, customer, inbox, '我要找媒体曝光你们')).toContain('抱歉');
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(1);
    expect((await t.app.risks.items.ofApplication(APPLICATION_NO))!.signals).toHaveLength(2);
  });

  it('outside working time the team lead is texted at the start of the next working period, once', async () => {
    const { fake, t, wx, customer, inbox } = await boundWeChat({ now: at('2026-11-24T10:00:00+08:00') });
    t.clock.set(at('2026-11-24T20:00:00+08:00'));
    await ask(wx, customer, inbox, '我要投訴你們');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'urgent', textedAt: null });
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(0);

    t.clock.set(at('2026-11-25T08:30:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    await eventually(() => leadTexts(fake).length === 1, 'the morning text');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ textedAt: '2026-11-25T08:30:00+08:00' });
  });
});

describe('the satisfaction follow-up', () => {
  it('switching on asks the rating question in the connection text, by SMS and to the bound WeChat contact, once; the WeChat answer is stored', async () => {
    const { fake, t, wx, customer, inbox } = await boundWeChat();
    await switchOn(t);
    const asks = (text: string | null | undefined) => text?.includes('已完成装表接电') === true && text.includes('回复1-5为本次服务评分');
    const connected = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'connected');
    expect(connected.map((r) => r.channel).sort()).toEqual(['sms', 'wechat']);
    await eventually(() => fake.requests.some((r) => r.to === `+86${APPLICATION_PHONE}` && asks(r.body)), 'the connection SMS with the question');
    await eventually(() => inbox.messages.some((m) => asks(m.text)), 'the connection WeChat message with the question');
    // one text at switch-on: the question is not sent a second time on its own
    expect(fake.requests.filter((r) => r.to === `+86${APPLICATION_PHONE}` && r.body?.includes('评'))).toHaveLength(1);
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: null, askedAt: '2026-11-24T10:00:00+08:00' });
    // a re-sync of the same completion does not ask again
    await postEvents(t, [completed(APPLICATION_NO, 'connect', '2026-11-24T09:30:00+08:00')]);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'connected')).toHaveLength(2);

    expect(await ask(wx, customer, inbox, '5 非常满意，师傅很专业')).toContain('感谢您的评价（5分）');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 5, comment: '非常满意，师傅很专业', channel: 'wechat' });
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
  });

  it('a reply "2 太慢了" from the phone asked opens a 预警 risk item to handle within a working day; one rating per application, replaced within 7 days', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startSweeper: false } });
    await switchOn(t);

    const low = await postSms(t, APPLICATION_PHONE, '2 太慢了');
    expect(low.text).toContain('2分');
    expect(low.text).toContain('1个工作日内');
    const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
    expect(item).toMatchObject({ tier: 'warning', status: 'open', handleBy: '2026-11-25T10:00:00+08:00' });
    expect(item.signals).toEqual([expect.objectContaining({ kind: 'rating', source: 'sms', score: 2, rules: ['low_rating'], detail: '2分：太慢了' })]);
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 2, comment: '太慢了', channel: 'sms' });

    // a second rating within 7 days replaces the first
    t.clock.set(at('2026-11-28T10:00:00+08:00'));
    const better = await postSms(t, APPLICATION_PHONE, '非常满意');
    expect(better.text).toContain('更新为5分');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 5, comment: '非常满意' });
    // after 7 days the window is closed
    t.clock.set(at('2026-12-02T10:00:01+08:00'));
    const late = await postSms(t, APPLICATION_PHONE, '1');
    expect(late.text).toContain('超过7天');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 5 });
  });

  it('a good rating opens no risk item; a good score with an unhappy comment does', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startSweeper: false } });
    await switchOn(t);
    expect((await postSms(t, APPLICATION_PHONE, '5分 谢谢师傅')).text).toContain('感谢您的评价（5分）');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
    expect((await postSms(t, APPLICATION_PHONE, '4分，就是等太久了')).text).toContain('1个工作日内');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'warning' });
  });

  it('a rating from a number never asked is not recorded', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startSweeper: false } });
    expect((await postSms(t, '13700007777', '5')).text).toContain('没有需要您评价');
  });
});
