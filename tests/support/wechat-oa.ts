// Scenario helpers for the Official Account: the chat app wired to a fake WeChat API, callbacks posted as WeChat
// signs them (plain or safe mode), and the passive reply read back (decrypted and its signature checked).
import { afterEach, expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { createHash } from 'node:crypto';
import { decryptMessage } from '../../channels/wechat-oa/safe-mode.ts';
import type { AppDeps } from '../../server/app.ts';
import type { TestApp } from './app.ts';
import type { FakeTwilio } from './fake-twilio.ts';
import { FAKE_OA_AES_KEY, FAKE_OA_APP_ID, FAKE_OA_TOKEN, signedPost, startFakeWechat, wechatOaEnv, type FakeWechat } from './fake-wechat.ts';
import { chatApp } from './chat.ts';

export async function fakeWechatForTest(): Promise<FakeWechat> {
  const fake = await startFakeWechat();
  afterEach(() => fake.close());
  return fake;
}

/** The chat scenario (chat.ts) with the Official Account pointed at `wechat`. */
export async function oaChatApp(twilio: FakeTwilio, wechat: FakeWechat, options: { env?: Record<string, string>; deps?: Partial<AppDeps>; databasePath?: string } = {}): Promise<TestApp> {
  return chatApp(twilio, { ...options, env: { ...wechatOaEnv(wechat), WECHAT_OA_MESSAGES_PER_SECOND: '1000', ...options.env } } as Parameters<typeof chatApp>[1]);
}

const parser = new XMLParser({ parseTagValue: false });

export interface CallbackAnswer {
  status: number;
  body: string;
  /** the passive reply's text, null for `success` */
  text: string | null;
}

/** Posts `xml` as WeChat would (signed; in safe mode encrypted) and reads the answer as WeChat would. */
export async function postCallback(t: TestApp, xml: string, options: { safe?: boolean } = {}): Promise<CallbackAnswer> {
  const { query, body } = signedPost(xml, { safe: options.safe, nowSeconds: Math.floor(t.clock.now() / 1000) });
  const reply = await t.app.inject({ method: 'POST', url: `/webhooks/wechat-oa?${query}`, headers: { 'content-type': 'text/xml' }, payload: body });
  return { status: reply.statusCode, body: reply.body, text: reply.statusCode === 200 ? replyText(reply.body, options.safe === true) : null };
}

function replyText(body: string, safe: boolean): string | null {
  if (body === 'success') return null;
  let xml = parser.parse(body).xml as Record<string, string>;
  if (safe) {
    // WeChat checks the reply's msg_signature before it decrypts
    const expected = createHash('sha1').update([FAKE_OA_TOKEN, xml.TimeStamp!, xml.Nonce!, xml.Encrypt!].sort().join('')).digest('hex');
    expect(xml.MsgSignature).toBe(expected);
    xml = parser.parse(decryptMessage(FAKE_OA_AES_KEY, FAKE_OA_APP_ID, xml.Encrypt!)).xml as Record<string, string>;
  }
  expect(xml.MsgType).toBe('text');
  return xml.Content ?? '';
}
