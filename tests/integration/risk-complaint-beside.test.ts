// Complaint language heard in every message (review of issue 17): an opt-out that complains still opts out, a score
// that complains is a rating and a complaint, praise with a negation is no unhappy comment, an SMS from an
// application's phone that never bound is that application's complaint, and a bare 热线 or 经理 is no complaint.
import { describe, expect, it } from 'vitest';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { eventually, fakeTwilioForTest } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, chatApp, postSms, switchOn } from '../support/chat.ts';

const LEAD_PHONE = '+8613900009999';
const leadTexts = (fake: FakeTwilio) => fake.requests.filter((r) => r.to === LEAD_PHONE && r.body?.includes('紧急风险'));

async function app() {
  const fake = await fakeTwilioForTest();
  const t = await chatApp(fake, { deps: { startSweeper: false } });
  return { fake, t };
}

describe('an opt-out that also complains', () => {
  for (const text of ['退订，再发我就投诉', '我要投诉，别再给我发短信了']) {
    it(`"${text}" from a bound number opts the number out and raises the complaint signal (紧急, the lead texted once)`, async () => {
      const { fake, t } = await app();
      await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
      const answer = await postSms(t, APPLICATION_PHONE, text);
      expect(answer.text).toContain('退订');
      expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(true);
      const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
      expect(item).toMatchObject({ tier: 'urgent', status: 'open' });
      expect(item.signals).toEqual([expect.objectContaining({ kind: 'complaint', source: 'sms', rules: ['complaint_language'], detail: text })]);
      await t.app.notices.dispatcher.idle();
      await eventually(() => leadTexts(fake).length === 1, 'the team lead text');
    });
  }

  it('from the application\'s phone that never bound: opted out, and the application\'s item is raised', async () => {
    const { t } = await app();
    await postSms(t, APPLICATION_PHONE, '退订，再发我就投诉');
    expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(true);
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'urgent' });
  });
});

describe('a score that also complains', () => {
  it('"1分 我要去12345投诉你们" after switch-on is a rating of 1 and a complaint: 紧急, the apology, the lead texted once', async () => {
    const { fake, t } = await app();
    await switchOn(t);
    const answer = await postSms(t, APPLICATION_PHONE, '1分 我要去12345投诉你们');
    expect(answer.text).toContain('抱歉');
    expect(answer.text).toContain('13912345678');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 1, comment: '我要去12345投诉你们', channel: 'sms' });
    const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
    expect(item.tier).toBe('urgent');
    expect(item.signals.map((s) => [s.kind, s.rules])).toEqual([
      ['rating', ['low_rating']],
      ['complaint', ['complaint_language']],
    ]);
    await t.app.notices.dispatcher.idle();
    await eventually(() => leadTexts(fake).length === 1, 'the team lead text');
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(1);
  });

  it('"差评，我要投诉你们" keeps its rating', async () => {
    const { t } = await app();
    await switchOn(t);
    expect((await postSms(t, APPLICATION_PHONE, '差评，我要投诉你们')).text).toContain('抱歉');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 1 });
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'urgent' });
  });
});

describe('praise with a negation', () => {
  it('"5分 师傅态度很好，一点都不慢" is a happy rating: no risk item, no follow-up promised', async () => {
    const { t } = await app();
    await switchOn(t);
    const answer = await postSms(t, APPLICATION_PHONE, '5分 师傅态度很好，一点都不慢');
    expect(answer.text).toContain('感谢您的评价（5分）');
    expect(answer.text).not.toContain('1个工作日内');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
  });
});

describe('a complaint by SMS from a number that never bound', () => {
  it('from the application\'s phone: the item is raised (紧急), the reply names who is responsible, and the lead is texted', async () => {
    const { fake, t } = await app();
    const answer = await postSms(t, APPLICATION_PHONE, '再不来装表我就打九五五九八投诉');
    expect(answer.text).toContain('抱歉');
    expect(answer.text).toContain('李*');
    expect(answer.text).toContain('13912345678');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'urgent' });
    await t.app.notices.dispatcher.idle();
    await eventually(() => leadTexts(fake).length === 1, 'the team lead text');
  });

  it('from an unknown number: the apology and a consult for a person, no item', async () => {
    const { t } = await app();
    const answer = await postSms(t, '13800005555', '我要投诉你们');
    expect(answer.text).toContain('抱歉');
    expect(answer.text).not.toContain('13912345678');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
    expect((await t.app.chat.consults.queue({ role: 'admin', handlerId: 'H000', teamId: null, name: '管理员', teamName: null } as never)).some((c: { address: string }) => c.address === '13800005555')).toBe(true);
  });
});

describe('no complaint in a harmless question', () => {
  it('"你们的服务热线是多少" or "项目经理说下周来装表" from a bound number raises nothing and texts nobody', async () => {
    const { fake, t } = await app();
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    for (const text of ['你们的服务热线是多少', '项目经理说下周来装表', '物业主任要材料']) expect((await postSms(t, APPLICATION_PHONE, text)).text).not.toContain('非常抱歉给您带来不便');
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(0);
  });
});

describe('a score while the menu is open', () => {
  it('"你好" then "4" after the rating question: the 4 is the rating, not the menu\'s 4th item', async () => {
    const { t } = await app();
    await switchOn(t);
    expect((await postSms(t, APPLICATION_PHONE, '你好')).text).toContain('回复');
    expect((await postSms(t, APPLICATION_PHONE, '4')).text).toContain('感谢您的评价（4分）');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 4, channel: 'sms' });
    // once rated, a digit under the menu picks the menu's item again
    await postSms(t, APPLICATION_PHONE, '你好');
    expect((await postSms(t, APPLICATION_PHONE, '4')).text).not.toContain('评价');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 4 });
  });
});
