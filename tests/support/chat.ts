// Scenario helpers for chatbot tests: an app with one application in progress, signed Twilio inbound SMS, the
// binding code as it went out, kiosk chat calls.
import twilio from 'twilio';
import { expect } from 'vitest';
import type { AppDeps } from '../../server/app.ts';
import type { TestApp } from './app.ts';
import type { FakeTwilio } from './fake-twilio.ts';
import { buildNoticeApp, completed, postEvents, putApplication, putHandler, started } from './notices.ts';
import { createMockWechat } from './wechaty-mock.ts';

export const ACCOUNT_NO = '5300123456';
export const APPLICATION_NO = 'YX2026-0001';
/** the phone on the application: where binding codes go */
export const APPLICATION_PHONE = '13800001111';
export const QUERY_CODE = '482913';
export const SMS_PATH = '/webhooks/twilio/sms';

/**
 * hv_single for account 5300123456 (requested 2027-03-01), accepted and surveyed, plan_reply in progress with
 * handler H001 (李明, 13912345678, team T01); H009 is T01's team lead.
 */
export async function chatApp(fake: FakeTwilio, options: { env?: Record<string, string>; now?: number; deps?: Partial<AppDeps> } = {}): Promise<TestApp> {
  const t = await buildNoticeApp(fake, options);
  await putHandler(t, 'H001');
  await putHandler(t, 'H009', { name: '王建国', phone: '13900009999', role: 'team_lead' });
  await putApplication(t, APPLICATION_NO);
  await postEvents(t, [
    started(APPLICATION_NO, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(APPLICATION_NO, 'accept', '2026-11-20T11:00:00+08:00'),
    started(APPLICATION_NO, 'survey', '2026-11-20T14:00:00+08:00'),
    completed(APPLICATION_NO, 'survey', '2026-11-23T16:00:00+08:00'),
    started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00'),
  ]);
  if (options.deps?.startDispatcher !== false) await t.app.notices.dispatcher.idle();
  return t;
}

/** The chat scenario with a logged-in Wechaty bot (wechaty-puppet-mock) and one customer contact, 王女士, writing to it. */
export async function wechatChatApp(fake: FakeTwilio) {
  const wx = createMockWechat();
  const t = await chatApp(fake, { deps: { wechaty: wx.bot } });
  await wx.login();
  const customer = wx.createContact({ name: '王女士' });
  return { t, wx, customer, inbox: wx.inboxOf(customer) };
}

/** Brings the chat scenario's hv_single application to switch-on (connect completed) on 2026-11-24. */
export async function switchOn(t: TestApp) {
  const steps = ['plan_reply', 'design_review', 'construction', 'mid_inspection', 'completion_inspection', 'contract', 'connect'];
  await postEvents(t, [
    completed(APPLICATION_NO, 'plan_reply', '2026-11-24T09:10:00+08:00'),
    ...steps.slice(1).flatMap((step, i) => [
      started(APPLICATION_NO, step, `2026-11-24T09:${String(11 + 2 * i).padStart(2, '0')}:00+08:00`),
      completed(APPLICATION_NO, step, `2026-11-24T09:${String(12 + 2 * i).padStart(2, '0')}:00+08:00`),
    ]),
  ]);
  await t.app.notices.dispatcher.idle();
}

async function bindCodeRows(t: TestApp, applicationNo: string) {
  return (await t.app.stores.outbox.ofApplication(applicationNo)).filter((r) => r.noticeKind === 'bind_code');
}

/** The code of the newest bind_code SMS (as rendered into the outbox row sent to the application's phone). */
export async function newestBindCode(t: TestApp, applicationNo = APPLICATION_NO): Promise<string> {
  const rows = await bindCodeRows(t, applicationNo);
  const code = rows[0] && /(\d{6})/.exec(rows[0].text)?.[1];
  if (!code) throw new Error('no bind_code notice was queued');
  return code;
}

/** How many bind_code notices were queued for the application (either database). */
export async function bindCodesQueued(t: TestApp, applicationNo = APPLICATION_NO): Promise<number> {
  return (await bindCodeRows(t, applicationNo)).length;
}

let sid = 0;

/** A customer's SMS as Twilio posts it, signed over PUBLIC_URL + path (or with the given signature). */
export async function postSms(t: TestApp, from: string, body: string, options: { messageSid?: string; signature?: string | null; to?: string } = {}) {
  const params = { MessageSid: options.messageSid ?? `SM${String(++sid).padStart(32, '0')}`, AccountSid: t.config.twilio!.accountSid, From: from, To: options.to ?? '+15005550006', Body: body, NumMedia: '0' };
  const signature = options.signature === undefined ? twilio.getExpectedTwilioSignature(t.config.twilio!.authToken, t.config.publicUrl + SMS_PATH, params) : options.signature;
  const reply = await t.app.inject({
    method: 'POST',
    url: SMS_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    payload: new URLSearchParams(params).toString(),
  });
  return { status: reply.statusCode, body: reply.body, contentType: reply.headers['content-type'], text: twimlText(reply.body) };
}

/** The text of the <Message> in a TwiML answer, unescaped; '' when there is none. */
export function twimlText(xml: string): string {
  const match = /<Message>([\s\S]*)<\/Message>/.exec(xml);
  if (!match) return '';
  return match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

export async function kiosk(t: TestApp, sessionId: string, text: string, headers: Record<string, string> = {}) {
  const reply = await t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', headers, payload: { sessionId, text } });
  return { status: reply.statusCode, body: reply.json() as { intent: string; replies: string[]; code?: string; retryAfterSeconds?: number }, headers: reply.headers };
}

/** Things about the application no unproved sender may learn. */
export const SECRETS = [APPLICATION_NO, '供电方案答复', '高压新装', '李', '13912345678', '2027', '玉溪', '食品', '138****', '1111'];

/** The view token the kiosk gets for the account's query code (POST /api/v1/progress/query must answer 200). */
export async function kioskViewToken(t: TestApp, accountNo = ACCOUNT_NO, queryCode = QUERY_CODE): Promise<string> {
  const reply = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo, queryCode } });
  expect(reply.statusCode).toBe(200);
  return reply.json().viewToken as string;
}
