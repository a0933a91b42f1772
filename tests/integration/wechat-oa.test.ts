// The WeChat Official Account (服务号): callbacks in plain and safe mode through the chat service, notices out as
// template or subscription messages through a fake WeChat API, its access token, opt-outs and delivery results.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, newestBindCode } from '../support/chat.ts';
import { eventXml, FAKE_OA_TOKEN, signedPost, textMessageXml, wechatOaEnv } from '../support/fake-wechat.ts';
import { fakeTwilioForTest, postEvents, putApplication, staffHeaders, started, completed, twilioEnv } from '../support/notices.ts';
import { fakeWechatForTest, oaChatApp, postCallback } from '../support/wechat-oa.ts';
import { buildTestAppBeside, sharableDatabase, type TestApp } from '../support/app.ts';
import { UNFOLLOW_SOURCE } from '../../server/inbound/wechat-oa-inbox.ts';

const OPENID = 'oJd8s5customer000000000001';
let msgSerial = 7_000_000_000_000_000_000n;
const nextMsgId = () => String(++msgSerial);

async function say(t: TestApp, text: string, options: { safe?: boolean; openId?: string; msgId?: string } = {}) {
  const answer = await postCallback(t, textMessageXml(options.openId ?? OPENID, text, options.msgId ?? nextMsgId()), { safe: options.safe });
  expect(answer.status).toBe(200);
  return answer;
}

async function setup(env: Record<string, string> = {}) {
  const twilio = await fakeTwilioForTest();
  const wechat = await fakeWechatForTest();
  const t = await oaChatApp(twilio, wechat, { env });
  return { twilio, wechat, t };
}

async function bind(t: TestApp, safe = false) {
  await say(t, `绑定 ${ACCOUNT_NO}`, { safe });
  const done = await say(t, await newestBindCode(t), { safe });
  expect(done.text).toContain('绑定成功');
}

describe('WeChat Official Account callbacks', () => {
  it("answers WeChat's URL check with echostr, and refuses a forged one", async () => {
    const { t } = await setup();
    const { query } = signedPost('', { nowSeconds: 1764000000 });
    const ok = await t.app.inject({ method: 'GET', url: `/webhooks/wechat-oa?${query}&echostr=5837410249911` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('5837410249911');

    const forged = signedPost('', { token: 'SomebodyElsesToken', nowSeconds: 1764000000 }).query;
    const refused = await t.app.inject({ method: 'GET', url: `/webhooks/wechat-oa?${forged}&echostr=5837410249911` });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ statusCode: 401, code: 'JD_UNAUTHORIZED' });
    expect(refused.body).not.toContain('5837410249911');
  });

  it('refuses a message with a forged signature or msg_signature and does nothing with it', async () => {
    const { t } = await setup();
    const xml = textMessageXml(OPENID, `绑定 ${ACCOUNT_NO}`, nextMsgId());
    const forged = signedPost(xml, { token: 'SomebodyElsesToken' });
    const plain = await t.app.inject({ method: 'POST', url: `/webhooks/wechat-oa?${forged.query}`, headers: { 'content-type': 'text/xml' }, payload: forged.body });
    expect(plain.statusCode).toBe(401);
    expect(plain.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });

    // safe mode: a valid outer signature but a msg_signature over another message
    const safe = signedPost(xml, { safe: true });
    const other = signedPost(textMessageXml(OPENID, '进度', nextMsgId()), { safe: true });
    const query = new URLSearchParams(safe.query);
    query.set('msg_signature', new URLSearchParams(other.query).get('msg_signature')!);
    const tampered = await t.app.inject({ method: 'POST', url: `/webhooks/wechat-oa?${query}`, headers: { 'content-type': 'text/xml' }, payload: safe.body });
    expect(tampered.statusCode).toBe(401);

    const unsigned = await t.app.inject({ method: 'POST', url: '/webhooks/wechat-oa', headers: { 'content-type': 'text/xml' }, payload: xml });
    expect(unsigned.statusCode).toBe(401);
    // whatever the body: a forged JSON body is refused for its signature, not its shape
    const json = await t.app.inject({ method: 'POST', url: `/webhooks/wechat-oa?${forged.query}`, payload: { text: 'x' } });
    expect(json.statusCode).toBe(401);

    expect(await t.app.chat.turns.transcript('wechat_oa', OPENID)).toEqual([]);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'bind_code')).toEqual([]);
  });

  it('a signed body that is not WeChat XML is a 400 in the contract shape', async () => {
    const { t } = await setup();
    const { query } = signedPost('');
    const reply = await t.app.inject({ method: 'POST', url: `/webhooks/wechat-oa?${query}`, headers: { 'content-type': 'text/xml' }, payload: '<xml><Nothing/></xml>' });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
  });

  it('binds the OpenID, answers progress, hurries and unsubscribes through the chat service (plain and safe mode)', async () => {
    const { t, wechat } = await setup();
    const guide = await say(t, '我的申请到哪一步了');
    expect(guide.text).toContain('绑定');
    expect(guide.text).not.toContain(APPLICATION_NO);

    // binding in safe mode: the reply comes back encrypted and signed
    const asked = await say(t, `绑定 ${ACCOUNT_NO}`, { safe: true });
    expect(asked.body).toContain('<Encrypt>');
    expect(asked.text).toContain('验证码已发送');
    const bound = await say(t, await newestBindCode(t), { safe: true });
    expect(bound.text).toContain('绑定成功');
    expect(bound.text).toContain('本微信');
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toContainEqual({ channel: 'wechat_oa', address: OPENID });

    const progress = await say(t, '进度');
    expect(progress.text).toContain(`工单${APPLICATION_NO}（高压新装增容（单电源））`);
    expect(progress.text).toContain('当前：供电方案答复');
    const contact = await say(t, '经办人电话', { safe: true });
    expect(contact.text).toContain('13912345678');
    const knowledge = await say(t, '家里突然停电了怎么办');
    expect(knowledge.text).toContain('95598');

    const hurried = await say(t, '能不能快点，等着开业');
    const [request] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(request).toMatchObject({ channel: 'wechat_oa', message: '能不能快点，等着开业' });
    expect(hurried.text).toBe(`已为您催办（编号${request!.id}），“供电方案答复”环节的经办人李*会尽快处理，结果会通知您。`);
    await t.app.notices.dispatcher.idle();
    // the reply was the receipt; the handler is told by SMS
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_received')).toEqual([]);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_for_handler').map((r) => r.address)).toEqual(['13912345678']);

    const optOut = await say(t, '退订', { safe: true });
    expect(optOut.text).toContain('本微信将不再收到办电通知');
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(true);
    expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(false);

    // no notice goes to the opted-out OpenID
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.channel === 'wechat_oa')).toEqual([]);
    expect(wechat.sent('/cgi-bin/message/template/send')).toEqual([]);

    const transcript = await t.app.chat.turns.transcript('wechat_oa', OPENID);
    expect(transcript.filter((m) => m.direction === 'in')).toHaveLength(8);
  });

  it('answers a retried message once: the same reply, one chat turn', async () => {
    const { t } = await setup();
    const msgId = nextMsgId();
    const first = await say(t, `绑定 ${ACCOUNT_NO}`, { msgId });
    const retry = await say(t, `绑定 ${ACCOUNT_NO}`, { msgId });
    expect(retry.text).toBe(first.text);
    expect((await t.app.chat.turns.transcript('wechat_oa', OPENID)).filter((m) => m.direction === 'in')).toHaveLength(1);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'bind_code')).toHaveLength(1);
  });

  it('an answer too long for a passive reply: success at once, then one customer-service message, once however often WeChat retries', async () => {
    const { t, wechat } = await setup();
    // 40 applications on the account: the list to choose from is far over 2048 bytes
    for (let i = 2; i <= 40; i += 1) await putApplication(t, `YX2026-${String(i).padStart(4, '0')}`);
    // their plan SMS use up the SMS send rate's burst: let the (manual) clock run until they are out
    for (let i = 0; i < 5; i += 1) {
      t.clock.advance(60_000);
      t.app.notices.dispatcher.wake();
      await t.app.notices.dispatcher.idle();
    }
    // bound with the query code, which all of them share
    await say(t, `绑定 ${ACCOUNT_NO}`);
    expect((await say(t, QUERY_CODE)).text).toContain('绑定成功');
    const msgId = nextMsgId();
    const first = await say(t, '进度', { msgId });
    await t.app.notices.dispatcher.idle();
    expect(first.body).toBe('success');
    const retry = await say(t, '进度', { msgId });
    expect(retry.body).toBe('success');
    await t.app.notices.dispatcher.idle();
    const sent = wechat.sent('/cgi-bin/message/custom/send');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ touser: OPENID, msgtype: 'text' });
    expect(sent[0]!.text.content).toContain('个在办工单');
    expect((await t.app.chat.turns.transcript('wechat_oa', OPENID)).filter((m) => m.direction === 'in')).toHaveLength(3);
  });

  it('a retry after a restart is still recognised (the handled callbacks are in the database)', async () => {
    const twilio = await fakeTwilioForTest();
    const wechat = await fakeWechatForTest();
    const t1 = await oaChatApp(twilio, wechat, sharableDatabase());
    const msgId = nextMsgId();
    const first = await say(t1, `绑定 ${ACCOUNT_NO}`, { msgId });
    await t1.app.close();
    const t2 = await buildTestAppBeside(t1, { env: { ...twilioEnv(twilio), ...wechatOaEnv(wechat) } });
    const retry = await say(t2, `绑定 ${ACCOUNT_NO}`, { msgId });
    expect(retry.text).toBe(first.text);
    expect((await t2.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'bind_code')).toHaveLength(1);
  });

  it('unfollowing opts the OpenID out; following again lifts it and is welcomed once', async () => {
    const { t } = await setup();
    await bind(t);
    const left = await postCallback(t, eventXml(OPENID, 'unsubscribe', 1764000100));
    expect(left.body).toBe('success');
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(true);
    const back = await postCallback(t, eventXml(OPENID, 'subscribe', 1764000200), { safe: true });
    expect(back.text).toContain('欢迎关注');
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(false);
    // a retried event changes nothing again: an unfollow retried after the follow must not opt out again
    await postCallback(t, eventXml(OPENID, 'unsubscribe', 1764000100));
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(false);

    // 退订 in the chat is not lifted by following again
    await say(t, '退订');
    await postCallback(t, eventXml(OPENID, 'subscribe', 1764000300));
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(true);
  });
  it('a retried unfollow reaching another instance, or both at once, after the user followed again changes nothing', async () => {
    const twilio = await fakeTwilioForTest();
    const wechat = await fakeWechatForTest();
    const a = await oaChatApp(twilio, wechat, sharableDatabase());
    const b = await buildTestAppBeside(a, { env: { ...twilioEnv(twilio), ...wechatOaEnv(wechat) } });
    const left = eventXml(OPENID, 'unsubscribe', 1764000100);
    await postCallback(a, left);
    expect(await a.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(true);
    expect((await postCallback(a, eventXml(OPENID, 'subscribe', 1764000200))).text).toContain('欢迎关注');
    // WeChat's retry of the first unfollow goes to the other instance, then to both at once
    expect((await postCallback(b, left)).body).toBe('success');
    const retried = await Promise.all([postCallback(a, left), postCallback(b, left)]);
    expect(retried.map((answer) => answer.body)).toEqual(['success', 'success']);
    expect(await b.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(false);
    // a new unfollow posted to both at once is acted on, once
    const again = eventXml(OPENID, 'unsubscribe', 1764000300);
    await Promise.all([postCallback(a, again), postCallback(b, again)]);
    expect(await a.app.stores.outbox.optOutSource('wechat_oa', OPENID)).toBe(UNFOLLOW_SOURCE);
  });
});

describe('WeChat Official Account notices', () => {
  it('a step notice arrives as a template message with fields within their limits, linking to the progress page; TEMPLATESENDJOBFINISH marks it delivered', async () => {
    const { t, wechat } = await setup();
    await bind(t);
    await putApplication(t, APPLICATION_NO, { customerName: '玉溪市红塔区某某某某食品加工有限责任公司第二分公司' });
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    const [row] = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.channel === 'wechat_oa' && r.noticeKind === 'step_started');
    expect(row).toMatchObject({ address: OPENID, status: 'sent', provider: 'wechat-oa' });
    const sent = wechat.sent('/cgi-bin/message/template/send').find((m) => m.template_id === 'JD-STEP-STARTED-TEMPLATE');
    expect(sent).toMatchObject({
      touser: OPENID,
      url: `https://jiedian.example.cn/m/progress?applicationNo=${APPLICATION_NO}`,
      client_msg_id: row!.id,
      data: {
        character_string1: { value: APPLICATION_NO },
        thing2: { value: '设计文件审核' },
        thing4: { value: '提交受电工程设计文件及设计单位资质证明' },
        thing5: { value: '李* 13912345678' },
      },
    });
    expect(sent!.data.date3.value).toMatch(/^2026年11月2\d日$/);
    for (const [key, field] of Object.entries(sent!.data as Record<string, { value: string }>)) {
      if (key.startsWith('thing')) expect([...field.value].length).toBeLessThanOrEqual(20);
    }
    // the plan notice carries the masked, shortened company name
    const plan = wechat.sent('/cgi-bin/message/template/send').find((m) => m.template_id === 'JD-PLAN-CHANGED-TEMPLATE' || m.template_id === 'JD-PLAN-CREATED-TEMPLATE');
    if (plan?.data.thing2) expect([...plan.data.thing2.value].length).toBeLessThanOrEqual(20);

    const done = await postCallback(t, eventXml(OPENID, 'TEMPLATESENDJOBFINISH', 1764000400, `<MsgID>${row!.providerId}</MsgID><Status><![CDATA[success]]></Status>`));
    expect(done.body).toBe('success');
    expect(await t.app.stores.outbox.byId(row!.id)).toMatchObject({ status: 'delivered' });
  });

  it("a handler's answer to a hurry made in the Official Account goes back there as a template message", async () => {
    const { t, wechat } = await setup();
    await bind(t);
    await say(t, '催一下，等着开业');
    const [request] = await t.app.hurries.ofApplication(APPLICATION_NO);
    const answered = await t.app.inject({ method: 'POST', url: `/api/v1/staff/hurries/${request!.id}/reply`, headers: await staffHeaders(t, 'H001'), payload: { text: '方案已在审核，明天上午答复您，请保持电话畅通。' } });
    expect(answered.statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    const sent = wechat.sent('/cgi-bin/message/template/send').find((m) => m.template_id === 'JD-HURRY-ANSWERED-TEMPLATE');
    // a thing holds 20 characters: the answer is shortened by the one rule
    expect(sent).toMatchObject({ touser: OPENID, data: { character_string1: { value: request!.id }, thing2: { value: '方案已在审核，明天上午答复您，请保持电…' }, phrase3: { value: '已答复' } } });
    // only there: the customer asked in WeChat
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_answered').map((r) => r.channel)).toEqual(['wechat_oa']);
  });

  it('43101 on a subscription notice opts the user out of the Official Account, not of SMS', async () => {
    const { t, wechat } = await setup({ WECHAT_OA_MESSAGE_KIND: 'subscribe' });
    await bind(t);
    wechat.failNext(43101);
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const rows = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.channel === 'wechat_oa');
    expect(rows.map((r) => r.status)).toContain('failed');
    expect(rows.find((r) => r.status === 'failed')!.lastError).toMatch(/^43101/);
    expect(await t.app.stores.outbox.isOptedOut('wechat_oa', OPENID)).toBe(true);
    expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(false);

    // the next notice is not sent to WeChat at all
    const before = wechat.calls.length;
    await postEvents(t, [completed(APPLICATION_NO, 'design_review', '2026-11-25T11:00:00+08:00'), started(APPLICATION_NO, 'construction', '2026-11-25T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect(wechat.calls.slice(before).filter((c) => c.path.startsWith('/cgi-bin/message'))).toEqual([]);
  });

  it('subscription notices go to bizsend with the progress page as their page', async () => {
    const { t, wechat } = await setup({ WECHAT_OA_MESSAGE_KIND: 'subscribe' });
    await bind(t);
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const sent = wechat.sent('/cgi-bin/message/subscribe/bizsend').find((m) => m.template_id === 'JD-STEP-STARTED-SUBSCRIBE');
    expect(sent).toMatchObject({ touser: OPENID, page: `https://jiedian.example.cn/m/progress?applicationNo=${APPLICATION_NO}` });
    expect(wechat.sent('/cgi-bin/message/template/send')).toEqual([]);
  });
});

describe('WeChat Official Account access token', () => {
  it('many sends at once fetch the token once (stable_token), and later sends reuse it from the database', async () => {
    const { t, wechat } = await setup();
    await bind(t);
    const others = ['oJd8s5customer000000000002', 'oJd8s5customer000000000003', 'oJd8s5customer000000000004'];
    // more bindings: each gets the notice, all sends start together
    await t.app.transact(async (stores) => {
      for (const openId of others) await stores.bindings.bind({ channel: 'wechat_oa', address: openId, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: [APPLICATION_NO] });
    });
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect(wechat.sent('/cgi-bin/message/template/send').filter((m) => m.template_id === 'JD-STEP-STARTED-TEMPLATE')).toHaveLength(4);
    expect(wechat.tokenRequests()).toBe(1);
    // every row of the table: the token is stored once (PostgreSQL gives the bigint as text)
    const stored = (await t.sql('select access_token, expires_at from wechat_oa_tokens')).map((row) => ({ access_token: row.access_token, expires_at: Number(row.expires_at) }));
    expect(stored).toEqual([{ access_token: 'fake-token-1', expires_at: t.clock.now() + 7200_000 - 300_000 }]);
  });

  it('on 40001 refreshes the token and retries once; the message goes once', async () => {
    const { t, wechat } = await setup();
    await bind(t);
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    await t.app.notices.channels.wechatOa!.accessToken();
    const tokensBefore = wechat.tokenRequests();
    expect(tokensBefore).toBe(1);
    wechat.failNext(40001);
    await postEvents(t, [started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const stepSends = wechat.calls.filter((c) => c.path === '/cgi-bin/message/template/send' && (c.body as any)?.template_id === 'JD-STEP-STARTED-TEMPLATE');
    expect(stepSends.map((c) => c.errcode)).toEqual([40001, 0]);
    expect(wechat.tokenRequests()).toBe(tokensBefore + 1);
    expect(stepSends[1]!.query.access_token).not.toBe(stepSends[0]!.query.access_token);
    const [row] = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.channel === 'wechat_oa' && r.noticeKind === 'step_started');
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a second instance on the same database uses the stored token instead of fetching its own', async () => {
    const twilio = await fakeTwilioForTest();
    const wechat = await fakeWechatForTest();
    const t1 = await oaChatApp(twilio, wechat, sharableDatabase());
    const t2 = await buildTestAppBeside(t1, { env: { ...twilioEnv(twilio), ...wechatOaEnv(wechat) } });
    await t1.app.notices.channels.wechatOa!.accessToken();
    expect(wechat.tokenRequests()).toBe(1);
    await t2.app.notices.channels.channels.wechat_oa.send({ outboxId: 'x-1', to: OPENID, text: '—', notice: { kind: 'hurry_received', variables: { applicationNo: APPLICATION_NO, reference: 'CB2611240001', stepName: '设计文件审核' } } });
    expect(wechat.tokenRequests()).toBe(1);
    // once the stored token has run out (less the margin), the next send fetches a new one
    t2.clock.advance(7200_000);
    await t2.app.notices.channels.channels.wechat_oa.send({ outboxId: 'x-2', to: OPENID, text: '—', notice: { kind: 'hurry_received', variables: { applicationNo: APPLICATION_NO, reference: 'CB2611240001', stepName: '设计文件审核' } } });
    expect(wechat.tokenRequests()).toBe(2);
  });
});
