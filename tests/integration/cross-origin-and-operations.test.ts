// Requests from other sites: staff mutations riding on the session cookie and /ws upgrades must come from PUBLIC_URL's
// origin (403 JD_FORBIDDEN before anything is looked up); requests without an Origin are judged by their credentials.
// Also: Secure cookies over https, /metrics for this machine or a METRICS_TOKEN, and over-long WebSocket frames.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { api, customerA, hurry, hurryScenario, listen, LiveClient, signIn, viewToken } from '../support/live.ts';
import { MAX_FRAME_BYTES } from '../../server/routes/live.ts';

const PUBLIC_URL = 'https://jiedian.example.cn';
const EVIL = 'http://evil.example';
const FORBIDDEN = { statusCode: 403, code: 'JD_FORBIDDEN', error: 'Forbidden' };
const at = (iso: string) => Date.parse(iso);

async function setUp(env: Record<string, string> = {}): Promise<{ t: TestApp; base: string; logs: () => { level: number; msg: string }[] }> {
  const lines: string[] = [];
  const t = await buildTestApp({
    now: at('2026-11-24T09:00:00+08:00'),
    env: { PUBLIC_URL, ...env },
    deps: { startSweeper: false, logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } },
  });
  await hurryScenario(t);
  t.clock.set(at('2026-11-24T10:00:00+08:00'));
  return { t, base: await listen(t), logs: () => lines.map((line) => JSON.parse(line) as { level: number; msg: string }) };
}

/** A hurry in H001's queue; the id. */
async function openHurry(base: string): Promise<string> {
  const reply = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), customerA.applicationNo);
  expect(reply.status).toBe(202);
  return reply.body.hurry.id as string;
}

describe('cookie-authenticated staff mutations from another origin', () => {
  it('refuse an ack with the session cookie from another site: 403 JD_FORBIDDEN, and the hurry stays open', async () => {
    const { t, base } = await setUp();
    const { cookie } = await signIn(t, base, 'H001');
    const id = await openHurry(base);

    const refused = await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie, headers: { origin: EVIL } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject(FORBIDDEN);
    expect(refused.body.message).toContain(EVIL);
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { cookie });
    expect(queue.body.hurries.map((h: { id: string; status: string }) => [h.id, h.status])).toEqual([[id, 'open']]);

    // from the service's own pages the same request goes through
    const own = await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie, headers: { origin: PUBLIC_URL } });
    expect(own.status).toBe(200);
    expect(own.body.hurry.status).toBe('acknowledged');
  });

  it('refuse before anything is looked up: a forged cookie or an unknown hurry from another site is 403, not 401 or 404', async () => {
    const { t, base } = await setUp();
    const { cookie } = await signIn(t, base, 'H001');
    expect((await api(base, 'POST', '/api/v1/staff/hurries/no-such-hurry/ack', { cookie, headers: { origin: EVIL } })).status).toBe(403);
    expect((await api(base, 'POST', '/api/v1/staff/hurries/no-such-hurry/ack', { cookie: 'jiedian_staff=forged', headers: { origin: EVIL } })).status).toBe(403);
    const explanation = await api(base, 'POST', '/api/v1/staff/alerts/1/explanation', { cookie, headers: { origin: 'null' }, body: { text: '说明' } });
    expect(explanation.status).toBe(403);
  });

  it('judge a request without an Origin header (not a browser) by its credentials alone', async () => {
    const { t, base } = await setUp();
    const { cookie, token } = await signIn(t, base, 'H001');
    const id = await openHurry(base);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie })).status).toBe(200);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/reply`, { token, body: { text: '已安排，明天审核。' } })).status).toBe(200);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie: 'jiedian_staff=forged' })).status).toBe(401);
  });

  it('refuse a sign-in posted from another site (it would set the cookie) and set no cookie', async () => {
    const { t, base } = await setUp();
    await signIn(t, base, 'H001');
    const body = { handlerId: 'H001', password: 'correct horse battery staple' };
    const refused = await api(base, 'POST', '/api/v1/staff/login', { body, headers: { origin: EVIL } });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await api(base, 'POST', '/api/v1/staff/login', { body, headers: { origin: PUBLIC_URL } })).status).toBe(200);
  });

  it('leave GETs and the customers\' token routes to their credentials', async () => {
    const { t, base } = await setUp();
    const { cookie } = await signIn(t, base, 'H001');
    expect((await api(base, 'GET', '/api/v1/staff/queue', { cookie, headers: { origin: EVIL } })).status).toBe(200);
    const query = await api(base, 'POST', '/api/v1/progress/query', { body: { accountNo: customerA.accountNo, queryCode: customerA.queryCode }, headers: { origin: EVIL } });
    expect(query.status).toBe(200);
  });

  it('a loopback PUBLIC_URL accepts the other loopback names for the same port (the demo on 127.0.0.1)', async () => {
    const { t, base } = await setUp({ PUBLIC_URL: 'http://localhost:3000' });
    const { cookie } = await signIn(t, base, 'H001');
    const id = await openHurry(base);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie, headers: { origin: 'http://localhost:3001' } })).status).toBe(403);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { cookie, headers: { origin: 'http://127.0.0.1:3000' } })).status).toBe(200);
  });
});

describe('/ws upgrades from another origin', () => {
  const upgrade = (base: string, origin?: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(base.replace(/^http/, 'ws') + '/ws', origin === undefined ? {} : { origin });
      socket.once('open', () => {
        socket.terminate();
        resolve(101);
      });
      socket.once('unexpected-response', (request, response) => {
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      socket.once('error', () => resolve(-1));
    });

  it('are refused with 403; the service\'s own origin and clients without an Origin connect', async () => {
    const { t, base } = await setUp();
    const { cookie } = await signIn(t, base, 'H001');
    expect(await upgrade(base, EVIL)).toBe(403);
    expect(await upgrade(base, PUBLIC_URL)).toBe(101);
    expect(await upgrade(base)).toBe(101);

    // the staff cookie rides on a cross-site upgrade too: the socket is never opened, so nothing is pushed to it
    const hijack = new WebSocket(base.replace(/^http/, 'ws') + '/ws', { origin: EVIL, headers: { cookie } });
    const status = await new Promise<number>((resolve) =>
      hijack.once('unexpected-response', (request, response) => {
        resolve(response.statusCode ?? 0);
        request.destroy();
      }),
    );
    expect(status).toBe(403);
  });
});

describe('session cookie attributes', () => {
  it('over https the cookie is Secure when set and when cleared; over http it cannot be', async () => {
    const { t, base } = await setUp();
    const login = await api(base, 'POST', '/api/v1/staff/login', { body: { handlerId: 'H001', password: 'x'.repeat(8) } });
    expect(login.status).toBe(401);
    await signIn(t, base, 'H001');
    const signedIn = await api(base, 'POST', '/api/v1/staff/login', { body: { handlerId: 'H001', password: 'correct horse battery staple' } });
    expect(signedIn.headers.getSetCookie()[0]!.split('; ')).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict']));
    const cleared = await api(base, 'POST', '/api/v1/staff/logout');
    expect(cleared.headers.getSetCookie()[0]!.split('; ')).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict']));

    const plain = await setUp({ PUBLIC_URL: 'http://localhost:3000' });
    await signIn(plain.t, plain.base, 'H001');
    const overHttp = await api(plain.base, 'POST', '/api/v1/staff/login', { body: { handlerId: 'H001', password: 'correct horse battery staple' } });
    expect(overHttp.headers.getSetCookie()[0]!.split('; ')).not.toContain('Secure');
  });
});

describe('/metrics', () => {
  const scrape = (t: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  it('serves this machine without a token, and nobody else unless METRICS_TOKEN is set', async () => {
    const { t, base } = await setUp();
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await scrape(t, '127.0.0.1')).statusCode).toBe(200);
    expect((await scrape(t, '::1')).statusCode).toBe(200);
    const remote = await scrape(t, '10.1.2.3');
    expect(remote.statusCode).toBe(401);
    expect(remote.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });
    expect(remote.body).not.toContain('jiedian_');
    // a reverse proxy on this machine relays other people's requests from loopback
    expect((await scrape(t, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(401);
  });

  it('serves another machine that brings METRICS_TOKEN as a bearer token', async () => {
    const { t } = await setUp({ METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await scrape(t, '10.1.2.3', { authorization: 'Bearer metrics-token-0123456789' })).statusCode).toBe(200);
    expect((await scrape(t, '10.1.2.3', { authorization: 'Bearer wrong-token-0123456789' })).statusCode).toBe(401);
    expect((await scrape(t, '10.1.2.3')).statusCode).toBe(401);
  });
});

describe('/ws frames over the limit', () => {
  it('get an error frame each, keep the socket open, and write no error-level log line', async () => {
    const { base, logs } = await setUp();
    const client = await LiveClient.open(base);
    for (let i = 0; i < 3; i++) {
      const from = client.received.length;
      client.send(JSON.stringify({ type: 'ping', padding: 'x'.repeat(MAX_FRAME_BYTES) }));
      const { frame } = await client.next((f) => f.type === 'error', 'error', { from });
      expect(frame).toMatchObject({ type: 'error', code: 'JD_PAYLOAD_TOO_LARGE' });
    }
    await client.settle();
    expect(client.isOpen).toBe(true);
    expect(logs().filter((entry) => entry.level >= 50)).toEqual([]);
  });
});
