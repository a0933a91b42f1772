/**
 * A fake WeCom (企业微信) server API on 127.0.0.1 for tests: point the channel at it with WECOM_API_BASE_URL.
 *
 *   const wecom = await startFakeWecom({ members: ['lisi'] });
 *   ... WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: String(wecom.agentId), WECOM_SECRET: wecom.secret, WECOM_API_BASE_URL: wecom.url
 *   expect(wecom.delivered).toEqual([{ touser: 'lisi', content: '…' }]);
 *
 * As WeCom documents it:
 * - `GET /cgi-bin/gettoken?corpid&corpsecret` → `{ errcode: 0, access_token, expires_in: 7200 }`; a wrong corpid is
 *   40013, a wrong secret 40001.
 * - `POST /cgi-bin/message/send?access_token=…` with a JSON application message: an unknown token is 40014, one
 *   the fake expired (`expireTokens()`) 42001; a wrong agentid 40056, a msgtype other than text 40008, empty or
 *   over-long content (2,048 bytes) 44004 / 45002; a touser not in the corp comes back in `invaliduser` (81013
 *   when nobody was valid). With `enable_duplicate_check` a repeat of the same content to the same member within
 *   `duplicate_check_interval` seconds (default 1800) is answered ok but not delivered again. Past 30 messages a
 *   minute or 1,000 an hour to one member, WeCom drops what it accepts: so does the fake (it lands in `dropped`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WecomDelivery {
  touser: string;
  content: string;
  /** the fake's clock when it arrived */
  at: number;
  msgid: string;
}

export interface FakeWecom {
  url: string;
  corpId: string;
  agentId: number;
  secret: string;
  /** messages delivered to members' WeCom, in order */
  delivered: WecomDelivery[];
  /** accepted but not delivered: repeats caught by the duplicate check */
  duplicates: WecomDelivery[];
  /** accepted but dropped for the per-member limit */
  dropped: WecomDelivery[];
  /** every message/send request's JSON body, as received */
  sendRequests: Record<string, unknown>[];
  /** how many access tokens were issued */
  tokensIssued: number;
  /** every token issued so far is answered 42001 (expired) from now on */
  expireTokens(): void;
  /** the env that points the app's WeCom channel here */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeWecom(options: { members: string[]; now?: () => number }): Promise<FakeWecom> {
  const now = options.now ?? Date.now;
  const corpId = 'ww' + randomBytes(8).toString('hex');
  const secret = randomBytes(16).toString('hex');
  const agentId = 1000002;
  const live = new Set<string>();
  const expired = new Set<string>();
  let msgSeq = 0;

  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      request.on('error', reject);
    });
  const answer = (response: ServerResponse, body: Record<string, unknown>) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };

  const fake: FakeWecom = {
    url: '',
    corpId,
    agentId,
    secret,
    delivered: [],
    duplicates: [],
    dropped: [],
    sendRequests: [],
    tokensIssued: 0,
    expireTokens() {
      for (const token of live) expired.add(token);
      live.clear();
    },
    env: () => ({ WECOM_CORP_ID: corpId, WECOM_AGENT_ID: String(agentId), WECOM_SECRET: secret, WECOM_API_BASE_URL: fake.url }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function send(request: IncomingMessage, response: ServerResponse, url: URL) {
    const token = url.searchParams.get('access_token') ?? '';
    const raw = await read(request);
    if (expired.has(token)) return answer(response, { errcode: 42001, errmsg: 'access_token expired' });
    if (!live.has(token)) return answer(response, { errcode: 40014, errmsg: 'invalid access_token' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return answer(response, { errcode: 47001, errmsg: 'data format error' });
    }
    fake.sendRequests.push(body);
    if (body.agentid !== agentId) return answer(response, { errcode: 40056, errmsg: 'invalid agentid' });
    if (body.msgtype !== 'text') return answer(response, { errcode: 40008, errmsg: 'invalid message type' });
    const content = (body.text as { content?: unknown } | undefined)?.content;
    if (typeof content !== 'string' || content === '') return answer(response, { errcode: 44004, errmsg: 'empty content' });
    if (Buffer.byteLength(content) > 2048) return answer(response, { errcode: 45002, errmsg: 'content size out of limit' });
    const users = String(body.touser ?? '').split('|').filter(Boolean);
    const valid = users.filter((u) => options.members.includes(u));
    const invalid = users.filter((u) => !options.members.includes(u));
    if (valid.length === 0) return answer(response, { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: invalid.join('|') });
    const at = now();
    const msgid = `msg${++msgSeq}`;
    const interval = typeof body.duplicate_check_interval === 'number' ? body.duplicate_check_interval : 1800;
    for (const touser of valid) {
      const delivery = { touser, content, at, msgid };
      const repeat =
        body.enable_duplicate_check === 1 &&
        fake.delivered.some((d) => d.touser === touser && d.content === content && at - d.at < interval * 1000);
      const toMember = fake.delivered.filter((d) => d.touser === touser);
      const overLimit = toMember.filter((d) => at - d.at < 60_000).length >= 30 || toMember.filter((d) => at - d.at < 3_600_000).length >= 1000;
      if (repeat) fake.duplicates.push(delivery);
      else if (overLimit) fake.dropped.push(delivery);
      else fake.delivered.push(delivery);
    }
    return answer(response, { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid });
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== corpId) return answer(response, { errcode: 40013, errmsg: 'invalid corpid' });
      if (url.searchParams.get('corpsecret') !== secret) return answer(response, { errcode: 40001, errmsg: 'invalid credential' });
      const token = randomBytes(24).toString('base64url');
      live.add(token);
      fake.tokensIssued++;
      return answer(response, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (request.method === 'POST' && url.pathname === '/cgi-bin/message/send') {
      send(request, response, url).catch(() => {
        response.writeHead(500);
        response.end();
      });
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
