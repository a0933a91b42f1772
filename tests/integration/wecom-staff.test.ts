// Staff notices in WeCom (企业微信): a handler whose WeCom user id the sync API gave gets hurries there too.
import { afterEach, describe, expect, it } from 'vitest';
import { buildNoticeApp, eventually, fakeTwilioForTest, outboxOf, putHandler } from '../support/notices.ts';
import { startFakeWecom, type FakeWecom } from '../support/fake-wecom.ts';
import { customerA, customerB, e164, hurry, hurryScenario, listen, staffOf, viewToken } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);

let wecom: FakeWecom | null = null;
afterEach(async () => {
  await wecom?.close();
  wecom = null;
});

async function setUp() {
  const fake = await fakeTwilioForTest();
  wecom = await startFakeWecom({ members: ['liming', 'zhangqiang'] });
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), env: wecom.env(), deps: { startSweeper: false } });
  await hurryScenario(t);
  await putHandler(t, 'H001', { ...staffOf.H001, wecomUserId: 'liming' });
  t.clock.set(at('2026-11-24T10:00:00+08:00'));
  return { fake, t, wecom, base: await listen(t) };
}

describe('WeCom for staff', () => {
  it("a hurry reaches the handler's WeCom as an application message, besides their SMS", async () => {
    const { fake, t, wecom, base } = await setUp();
    const pressed = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), customerA.applicationNo, '请尽快审核，月底要试生产');
    expect(pressed.status).toBe(202);

    await eventually(() => wecom.delivered.length === 1, 'the WeCom message');
    expect(wecom.delivered[0]).toMatchObject({
      touser: 'liming',
      content: '【催办提醒】\n工单号：YX2026-0001\n客户：玉溪某某食品有限公司\n环节：设计文件审核（已办理1个工作日）\n客户留言：请尽快审核，月底要试生产\n请及时处理并在工作台答复客户。',
    });
    expect(wecom.sendRequests[0]).toMatchObject({ agentid: wecom.agentId, msgtype: 'text', enable_duplicate_check: 1 });
    await eventually(() => fake.requests.some((r) => r.to === e164(staffOf.H001.phone)), "the handler's SMS");
    await t.app.notices.dispatcher.idle();
    const [row] = (await outboxOf(t, customerA.applicationNo)).filter((r) => r.channel === 'wecom');
    expect(row).toMatchObject({ noticeKind: 'hurry_for_handler', address: 'liming', recipientRef: 'H001', provider: 'wecom', status: 'delivered', providerId: 'msg1' });
  });

  it('a handler without a WeCom user id gets the hurry by SMS only', async () => {
    const { fake, t, wecom, base } = await setUp();
    const pressed = await hurry(base, await viewToken(base, customerB.accountNo, customerB.queryCode), customerB.applicationNo);
    expect(pressed.status).toBe(202);
    await eventually(() => fake.requests.some((r) => r.to === e164(staffOf.H101.phone)), "the handler's SMS");
    await t.app.notices.dispatcher.idle();
    expect((await outboxOf(t, customerB.applicationNo)).filter((r) => r.channel === 'wecom')).toEqual([]);
    expect(wecom.sendRequests).toEqual([]);
  });

  it('the sync API keeps and returns the WeCom user id and e-mail, and refuses a malformed one changing nothing', async () => {
    const { t } = await setUp();
    const put = (body: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/v1/sync/handlers/L001', headers: t.sync, payload: { ...staffOf.L001, ...body } });
    const ok = await put({ wecomUserId: 'zhangqiang', email: 'zhangqiang@example.cn' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().handler).toEqual({
      id: 'L001', name: '张强', phone: '13912340009', teamId: 'T01', teamName: '业扩一班', role: 'team_lead', wecomUserId: 'zhangqiang', email: 'zhangqiang@example.cn',
    });
    for (const bad of [{ wecomUserId: 'zhang qiang' }, { email: 'not-an-address' }]) {
      const refused = await put(bad);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
    }
    expect((await t.app.stores.applications.handler('L001'))).toMatchObject({ wecomUserId: 'zhangqiang', email: 'zhangqiang@example.cn' });
    // a PUT without them clears them: the marketing system's record is the whole truth
    expect((await put({})).json().handler).toEqual({ id: 'L001', name: '张强', phone: '13912340009', teamId: 'T01', teamName: '业扩一班', role: 'team_lead' });
  });
});
