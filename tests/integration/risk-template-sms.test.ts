// Complaint risk and the satisfaction follow-up through the template SMS providers (Aliyun, Tencent Cloud): the
// connection SMS asks for 1–5, the reply reaches the chatbot through the provider's inbound callback and is answered
// with its own reply template; a complaint by SMS raises an urgent item and texts the team lead by template.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, switchOn } from '../support/chat.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import type { TestApp } from '../support/app.ts';
import { providers, type ProviderHarness } from '../support/template-sms.ts';

const LEAD_PHONE = '13900009999';

/** hv_single for 5300123456 with H001 (李明, team T01) on plan_reply since 11-24 09:00; H009 is T01's team lead. */
async function planReplyStarted(t: TestApp) {
  await putHandler(t, 'H001');
  await putHandler(t, 'H009', { name: '王建国', phone: LEAD_PHONE, role: 'team_lead' });
  await putApplication(t, APPLICATION_NO);
  await postEvents(t, [
    started(APPLICATION_NO, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(APPLICATION_NO, 'accept', '2026-11-20T11:00:00+08:00'),
    started(APPLICATION_NO, 'survey', '2026-11-20T14:00:00+08:00'),
    completed(APPLICATION_NO, 'survey', '2026-11-23T16:00:00+08:00'),
    started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
}

async function post(t: TestApp, request: { url: string; payload: unknown }) {
  return t.app.inject({ method: 'POST', url: request.url, payload: request.payload as object });
}

/** The template ids and variable names of templates/sms-<provider>.json for the new kinds. */
const ids = {
  aliyun: { connected: 'SMS_487000004', rated: 'SMS_487000022', ratedFollowUp: 'SMS_487000023', complaint: 'SMS_487000024', riskUrgent: 'SMS_487000020' },
  tencent: { connected: '1856004', rated: '1856022', ratedFollowUp: '1856023', complaint: '1856024', riskUrgent: '1856020' },
};
/** values by name as the provider gets them: Aliyun by name, Tencent by position */
const params = (provider: ProviderHarness, values: [string, string][]) =>
  Object.fromEntries(values.map(([name, value], i) => [provider.name === 'aliyun' ? name : String(i + 1), value]));

describe.each(providers)('risk and the follow-up through $name template SMS', (provider: ProviderHarness) => {
  it('asks for 1–5 in the connection SMS; the reply "2 太慢了" is stored, opens a 预警 item and is answered by its template', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    await switchOn(t);
    const connection = sent().filter((s) => s.to.endsWith(APPLICATION_PHONE) && s.templateId === ids[provider.name].connected);
    expect(connection).toHaveLength(1);
    const before = sent().length;

    // a number that never bound: the reply counts for the application the question went to
    expect((await post(t, provider.reply(APPLICATION_PHONE, '2 太慢了', 41))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 2, comment: '太慢了', channel: 'sms' });
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toMatchObject({
      tier: 'warning',
      status: 'open',
      signals: [expect.objectContaining({ kind: 'rating', source: 'sms', score: 2, rules: ['low_rating'] })],
    });
    const answers = sent().slice(before);
    expect(answers.map((s) => ({ to: s.to.slice(-11), templateId: s.templateId, params: s.params }))).toEqual([
      { to: APPLICATION_PHONE, templateId: ids[provider.name].ratedFollowUp, params: params(provider, [['score', '2']]) },
    ]);

    // a happier second answer within 7 days replaces it, with the thanks template
    expect((await post(t, provider.reply(APPLICATION_PHONE, '5', 42))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 5 });
    expect(sent().at(-1)).toMatchObject({ templateId: ids[provider.name].rated, params: params(provider, [['score', '5']]) });
  });

  it('a complaint by SMS raises a 紧急 item, is answered with who is responsible, and texts the team lead once by template', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const before = sent().length;

    expect((await post(t, provider.reply(APPLICATION_PHONE, '再不处理我就打12398投诉', 51))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
    expect(item).toMatchObject({ tier: 'urgent', status: 'open' });

    const answers = sent().slice(before).map((s) => ({ to: s.to.slice(-11), templateId: s.templateId, params: s.params }));
    expect(answers).toContainEqual({
      to: APPLICATION_PHONE,
      templateId: ids[provider.name].complaint,
      // the reference is the consult's that asks a person to call back
      params: params(provider, [['reference', expect.stringMatching(/^ZX\d{10}$/) as unknown as string], ['handlerName', '李*'], ['handlerPhone', '13912345678']]),
    });
    const toLead = answers.filter((a) => a.to === LEAD_PHONE);
    expect(toLead).toEqual([
      { to: LEAD_PHONE, templateId: ids[provider.name].riskUrgent, params: params(provider, [['applicationNo', APPLICATION_NO], ['customerName', expect.any(String) as unknown as string], ['reference', item.id]]) },
    ]);
    // said again: still one text to the team lead
    expect((await post(t, provider.reply(APPLICATION_PHONE, '我要投诉到市长热线', 52))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    expect(sent().filter((s) => s.to.endsWith(LEAD_PHONE) && s.templateId === ids[provider.name].riskUrgent)).toHaveLength(1);
  });
});
