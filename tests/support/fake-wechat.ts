/**
 * A fake WeChat Official Account API on 127.0.0.1 for tests: point the app at it with WECHAT_OA_API_BASE_URL and
 * WECHAT_OA_OAUTH_BASE_URL and assert on what arrived. It checks what WeChat checks: the AppID and secret of the
 * stable-token request, a current access_token on every call (40001 otherwise), the required fields, and the typed
 * template fields' limits (47003). Scripted answers: `failNext(40001)` makes the current token invalid once (as an
 * expiry or a refresh elsewhere would), `failNext(43101)` answers as for a user who refused the subscription.
 *
 * Also WeChat's side of the callbacks: `signedPost(xml, { safe })` builds the query and body WeChat would post.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptMessage } from '../../channels/wechat-oa/safe-mode.ts';

export const FAKE_OA_APP_ID = 'wx0123456789abcdef';
export const FAKE_OA_APP_SECRET = 'fake-oa-secret-0123456789abcdef';
export const FAKE_OA_TOKEN = 'JiedianCallbackToken2026';
/** 43 characters of base64, as the platform generates */
export const FAKE_OA_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const FAKE_OA_ACCOUNT = 'gh_0123456789ab';

export interface RecordedWechatCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  /** the errcode answered (0: success) */
  errcode: number;
}

export interface FakeWechat {
  url: string;
  /** every API call, in arrival order */
  calls: RecordedWechatCall[];
  /** calls to one path that succeeded */
  sent(path: '/cgi-bin/message/template/send' | '/cgi-bin/message/subscribe/bizsend' | '/cgi-bin/message/custom/send'): Record<string, any>[];
  tokenRequests(): number;
  /** the next message send answers this errcode (40001 also invalidates the current token) */
  failNext(errcode: number): void;
  /** who is "logged in" to WeChat on the phone: the OpenID the authorize step issues a code for */
  oauthUser: string | null;
  /** the msgid the fake gave the template message sent to `toUser` (last one) */
  lastMsgId(toUser: string): string | null;
  close(): Promise<void>;
}

const limits: Record<string, { max?: number; pattern?: RegExp }> = {
  thing: { max: 20 },
  character_string: { max: 32, pattern: /^[\x21-\x7e]+$/ },
  number: { max: 32, pattern: /^[0-9.]+$/ },
  phrase: { max: 5, pattern: /^\p{Script=Han}+$/u },
  name: { max: 10 },
  phone_number: { max: 17, pattern: /^[0-9+\-() ]+$/ },
  date: { pattern: /^\d{4}年\d{1,2}月\d{1,2}日$/ },
  time: { pattern: /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/ },
};

const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });
const length = (s: string) => [...segmenter.segment(s)].length;

/** The typed fields' rules WeChat enforces on `data`: null when they hold, else what is wrong. */
export function checkTemplateData(data: unknown): string | null {
  if (!data || typeof data !== 'object') return 'data missing';
  for (const [key, field] of Object.entries(data as Record<string, unknown>)) {
    const value = (field as { value?: unknown })?.value;
    if (typeof value !== 'string' || value === '') return `${key}: value missing`;
    const type = key.replace(/\d+$/, '');
    const rule = limits[type];
    if (!rule) return `${key}: unknown field type`;
    if (rule.max !== undefined && length(value) > rule.max) return `${key}: longer than ${rule.max}`;
    if (rule.pattern && !rule.pattern.test(value)) return `${key}: not a valid ${type}`;
  }
  return null;
}

export async function startFakeWechat(options: { appId?: string; appSecret?: string } = {}): Promise<FakeWechat> {
  const appId = options.appId ?? FAKE_OA_APP_ID;
  const appSecret = options.appSecret ?? FAKE_OA_APP_SECRET;
  const calls: RecordedWechatCall[] = [];
  let token: string | null = null;
  let tokenSerial = 0;
  let msgSerial = 1000;
  const failures: number[] = [];
  const codes = new Map<string, string>();
  const lastMsgIds = new Map<string, string>();

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    let body: Record<string, unknown> | null = null;
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = null;
      }
    }
    const answer = (errcode: number, extra: Record<string, unknown> = {}) => {
      calls.push({ path: url.pathname, query, body, errcode });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errcode, errmsg: errcode === 0 ? 'ok' : `fake error ${errcode}`, ...extra }));
    };

    if (url.pathname === '/connect/oauth2/authorize' && req.method === 'GET') {
      calls.push({ path: url.pathname, query, body: null, errcode: 0 });
      const redirect = query.redirect_uri;
      if (query.appid !== appId || query.response_type !== 'code' || query.scope !== 'snsapi_base' || !redirect || fake.oauthUser === null) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('bad authorize request');
        return;
      }
      const code = randomBytes(8).toString('hex');
      codes.set(code, fake.oauthUser);
      const target = new URL(redirect);
      target.searchParams.set('code', code);
      if (query.state) target.searchParams.set('state', query.state);
      res.writeHead(302, { location: target.toString() });
      res.end();
      return;
    }
    if (url.pathname === '/sns/oauth2/access_token' && req.method === 'GET') {
      if (query.appid !== appId || query.secret !== appSecret || query.grant_type !== 'authorization_code') return answer(40013);
      const openid = codes.get(query.code ?? '');
      if (!openid) return answer(40029); // invalid code (or used already)
      codes.delete(query.code!);
      return answer(0, { access_token: `web-${randomBytes(4).toString('hex')}`, expires_in: 7200, refresh_token: 'r', openid, scope: 'snsapi_base' });
    }
    if (url.pathname === '/cgi-bin/stable_token' && req.method === 'POST') {
      if (body?.grant_type !== 'client_credential' || body.appid !== appId || body.secret !== appSecret) return answer(40013);
      if (token === null || body.force_refresh === true) token = `fake-token-${++tokenSerial}`;
      return answer(0, { access_token: token, expires_in: 7200 });
    }
    const sends = ['/cgi-bin/message/template/send', '/cgi-bin/message/subscribe/bizsend', '/cgi-bin/message/custom/send'];
    if (sends.includes(url.pathname) && req.method === 'POST') {
      if (token === null || query.access_token !== token) return answer(40001);
      if (failures.length > 0) {
        const errcode = failures.shift()!;
        if (errcode === 40001 || errcode === 42001) token = null; // the token is gone: the next stable_token gives a new one
        return answer(errcode);
      }
      if (!body || typeof body.touser !== 'string' || body.touser === '') return answer(40003);
      if (url.pathname === '/cgi-bin/message/custom/send') {
        const content = (body.text as { content?: unknown } | undefined)?.content;
        if (body.msgtype !== 'text' || typeof content !== 'string' || content === '') return answer(44002);
        return answer(0);
      }
      if (typeof body.template_id !== 'string' || body.template_id === '') return answer(40037);
      if (checkTemplateData(body.data) !== null) return answer(47003);
      const msgid = String(++msgSerial);
      lastMsgIds.set(body.touser, msgid);
      return answer(0, url.pathname === '/cgi-bin/message/template/send' ? { msgid: Number(msgid) } : {});
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeWechat = {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent: (path) => calls.filter((c) => c.path === path && c.errcode === 0).map((c) => c.body as Record<string, any>),
    tokenRequests: () => calls.filter((c) => c.path === '/cgi-bin/stable_token').length,
    failNext: (errcode) => void failures.push(errcode),
    oauthUser: null,
    lastMsgId: (toUser) => lastMsgIds.get(toUser) ?? null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return fake;
}

/** The environment that points the app at the fake. */
export function wechatOaEnv(fake: FakeWechat, over: Record<string, string> = {}): Record<string, string> {
  return {
    WECHAT_OA_APP_ID: FAKE_OA_APP_ID,
    WECHAT_OA_APP_SECRET: FAKE_OA_APP_SECRET,
    WECHAT_OA_TOKEN: FAKE_OA_TOKEN,
    WECHAT_OA_AES_KEY: FAKE_OA_AES_KEY,
    WECHAT_OA_API_BASE_URL: fake.url,
    WECHAT_OA_OAUTH_BASE_URL: fake.url,
    ...over,
  };
}

const sha1 = (parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');

/** The query string and body WeChat posts for `xml`, signed with the token; in safe mode encrypted as well. */
export function signedPost(xml: string, options: { safe?: boolean; token?: string; nowSeconds?: number } = {}): { query: string; body: string } {
  const token = options.token ?? FAKE_OA_TOKEN;
  const timestamp = String(options.nowSeconds ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(5).toString('hex');
  const params = new URLSearchParams({ signature: sha1([token, timestamp, nonce]), timestamp, nonce });
  if (!options.safe) return { query: params.toString(), body: xml };
  const encrypt = encryptMessage(FAKE_OA_AES_KEY, FAKE_OA_APP_ID, xml);
  params.set('encrypt_type', 'aes');
  params.set('msg_signature', sha1([token, timestamp, nonce, encrypt]));
  return { query: params.toString(), body: `<xml><ToUserName><![CDATA[${FAKE_OA_ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
}

/** WeChat's XML for a user's text message. */
export function textMessageXml(openId: string, text: string, msgId: string, createTime = 1764000000): string {
  return (
    `<xml><ToUserName><![CDATA[${FAKE_OA_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`
  );
}

/** WeChat's XML for an event (subscribe, unsubscribe, TEMPLATESENDJOBFINISH with `extra` fields). */
export function eventXml(openId: string, event: string, createTime: number, extra = ''): string {
  return (
    `<xml><ToUserName><![CDATA[${FAKE_OA_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${extra}</xml>`
  );
}
