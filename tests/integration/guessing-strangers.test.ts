// Strangers guessing from many addresses cannot lock a customer at a business-hall kiosk, or a handler, out; yet
// guesses at one account from any number of addresses still meet its ceiling of 50 wrong codes an hour (429 with
// Retry-After), and admins are told when an account or staff id is being guessed at.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { fakeTwilioForTest, putHandler } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp } from '../support/chat.ts';
import { api, grantAdmin, listen, LiveClient, PASSWORD, signIn, staffOf } from '../support/live.ts';
import { ACCOUNT_CEILING_WINDOW_MS, WRONG_QUERY_CODES_PER_ACCOUNT } from '../../server/customers/query-code-guesses.ts';
import { UNDER_ATTACK_AFTER, WRONG_GUESSES_PER_SUBJECT } from '../../server/limits/guess-limits.ts';
import { KIOSK_KEY_HEADER } from '../../server/routes/kiosk-device.ts';

const KIOSK_KEY = 'kiosk-device-key-0123456789';
const KIOSK_ADDRESS = '10.20.0.5';
/** the n-th stranger's address: every guess from another one, so no address meets its own limits */
const stranger = (n: number) => `198.51.${Math.floor(n / 250)}.${(n % 250) + 1}`;

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  return chatApp(await fakeTwilioForTest(), { env: { KIOSK_DEVICE_KEY: KIOSK_KEY, ...env } });
}

function query(t: TestApp, queryCode: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/v1/progress/query', remoteAddress, headers, payload: { accountNo: ACCOUNT_NO, queryCode } });
}

async function kioskChat(t: TestApp, sessionId: string, text: string, headers: Record<string, string> = {}): Promise<string> {
  const reply = await t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress: KIOSK_ADDRESS, headers, payload: { sessionId, text } });
  expect(reply.statusCode).toBe(200);
  return (reply.json().replies as string[]).join('\n');
}

/** `n` wrong codes at ACCOUNT_NO, each from a new address; the status codes answered. */
async function strangersGuess(t: TestApp, n: number, from = 0): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = from; i < from + n; i++) statuses.push((await query(t, String(100000 + i), stranger(i))).statusCode);
  return statuses;
}

describe('an account guessed at from many addresses', () => {
  it(`meets its ceiling: ${WRONG_QUERY_CODES_PER_ACCOUNT} wrong codes an hour are checked, then 429 JD_RATE_LIMITED with Retry-After, the right code too`, async () => {
    const t = await app();
    const statuses = await strangersGuess(t, WRONG_QUERY_CODES_PER_ACCOUNT + 5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(WRONG_QUERY_CODES_PER_ACCOUNT);
    expect(statuses.slice(WRONG_QUERY_CODES_PER_ACCOUNT)).toEqual([429, 429, 429, 429, 429]);

    const limited = await query(t, QUERY_CODE, stranger(999));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'JD_RATE_LIMITED' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(ACCOUNT_CEILING_WINDOW_MS / 1000);
    // the ceiling counts the kiosk chat's guesses too: a web session there is refused as well
    const session = 'web-session-0001';
    await t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress: stranger(998), payload: { sessionId: session, text: `绑定 ${ACCOUNT_NO}` } });
    const chat = await t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress: stranger(998), payload: { sessionId: session, text: QUERY_CODE } });
    expect((chat.json().replies as string[]).join('')).toContain('已暂停');

    t.clock.advance(ACCOUNT_CEILING_WINDOW_MS + 1000);
    expect((await query(t, QUERY_CODE, stranger(999))).statusCode).toBe(200);
  });

  it('does not stop the right code typed at a business-hall kiosk with its device key, on the keypad or in the chat', async () => {
    const t = await app();
    await strangersGuess(t, WRONG_QUERY_CODES_PER_ACCOUNT + 10);
    expect((await query(t, QUERY_CODE, stranger(999))).statusCode).toBe(429);

    const atKiosk = await query(t, QUERY_CODE, KIOSK_ADDRESS, { [KIOSK_KEY_HEADER]: KIOSK_KEY });
    expect(atKiosk.statusCode).toBe(200);
    expect(atKiosk.json().applications.map((a: { applicationNo: string }) => a.applicationNo)).toEqual([APPLICATION_NO]);

    await kioskChat(t, 'kiosk-session-0001', `绑定 ${ACCOUNT_NO}`, { [KIOSK_KEY_HEADER]: KIOSK_KEY });
    expect(await kioskChat(t, 'kiosk-session-0001', QUERY_CODE, { [KIOSK_KEY_HEADER]: KIOSK_KEY })).toContain('绑定成功');
  });

  it('a wrong device key, or one when no KIOSK_DEVICE_KEY is configured, exempts nothing', async () => {
    const t = await app();
    await strangersGuess(t, WRONG_QUERY_CODES_PER_ACCOUNT);
    expect((await query(t, QUERY_CODE, KIOSK_ADDRESS, { [KIOSK_KEY_HEADER]: 'kiosk-device-key-wrong-0000' })).statusCode).toBe(429);

    const unconfigured = await chatApp(await fakeTwilioForTest());
    await strangersGuess(unconfigured, WRONG_QUERY_CODES_PER_ACCOUNT);
    expect((await query(unconfigured, QUERY_CODE, KIOSK_ADDRESS, { [KIOSK_KEY_HEADER]: KIOSK_KEY })).statusCode).toBe(429);
  });

  it('is reported to admins once: a warning in the log, a counter in /metrics, an item for admins only, a live frame', async () => {
    const lines: string[] = [];
    const t = await chatApp(await fakeTwilioForTest(), {
      env: { KIOSK_DEVICE_KEY: KIOSK_KEY },
      deps: { logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } },
    });
    const base = await listen(t);
    for (const [id, body] of Object.entries({ ...staffOf, A001: { ...staffOf.L001, name: '孙管理', phone: '13912340099' } })) await putHandler(t, id, body);
    await grantAdmin(t, 'A001');
    const admin = await signIn(t, base, 'A001');
    const lead = await signIn(t, base, 'L001');
    const live = await LiveClient.open(base);
    await live.subscribeStaff(admin.token);

    await strangersGuess(t, UNDER_ATTACK_AFTER - 1);
    expect((await api(base, 'GET', '/api/v1/staff/security-notices', { token: admin.token })).body).toEqual({ notices: [] });
    await strangersGuess(t, 5, 100);

    const notices = await api(base, 'GET', '/api/v1/staff/security-notices', { token: admin.token });
    expect(notices.status).toBe(200);
    expect(notices.body.notices).toEqual([
      {
        kind: 'query_code',
        subject: ACCOUNT_NO,
        wrongGuesses: UNDER_ATTACK_AFTER,
        addresses: UNDER_ATTACK_AFTER,
        at: expect.any(String),
        message: expect.stringContaining(`账户 ${ACCOUNT_NO} 的查询密码`),
      },
    ]);
    expect((await api(base, 'GET', '/api/v1/staff/security-notices', { token: lead.token })).status).toBe(403);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('jiedian_guessing_attacks_total{kind="query_code"} 1');
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((e) => e.msg.includes('is being guessed at'));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, msg: `account ${ACCOUNT_NO} is being guessed at: ${UNDER_ATTACK_AFTER} wrong in an hour from ${UNDER_ATTACK_AFTER} addresses` })]);
    const { frame } = await live.next((f) => f.type === 'security', 'security');
    expect(frame.notice).toEqual(notices.body.notices[0]);
  });
});

describe('a staff id guessed at from many addresses', () => {
  async function staffApp() {
    const t = await app();
    for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
    const base = await listen(t);
    return { t, base };
  }
  const login = (t: TestApp, password: string, remoteAddress: string, cookie?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/staff/login', remoteAddress, headers: cookie ? { cookie } : {}, payload: { handlerId: 'H001', password } });

  it('does not lock the handler out: dozens of wrong passwords from many addresses, then the right one from the handler\'s desk', async () => {
    const { t, base } = await staffApp();
    await signIn(t, base, 'H001');
    for (let i = 0; i < 30; i++) expect((await login(t, `guess ${i}`, stranger(i))).statusCode).toBe(401);
    expect((await login(t, PASSWORD, '10.30.0.8')).statusCode).toBe(200);
  });

  it('past the ceiling a new browser is refused, but the browser the handler signed in with before still gets in', async () => {
    const { t } = await staffApp();
    await t.app.staff.auth.setPassword('H001', PASSWORD);
    const first = await login(t, PASSWORD, '10.30.0.8');
    expect(first.statusCode).toBe(200);
    const device = first.cookies.find((c) => c.name === 'jiedian_staff_device')!;
    expect(device).toMatchObject({ httpOnly: true, path: '/api/v1/staff/login', sameSite: 'Strict' });

    for (let i = 0; i < WRONG_GUESSES_PER_SUBJECT + 3; i++) await login(t, `guess ${i}`, stranger(i));
    const newBrowser = await login(t, PASSWORD, '10.30.0.9');
    expect(newBrowser.statusCode).toBe(429);
    expect(Number(newBrowser.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(t, PASSWORD, '10.30.0.8', `${device.name}=${device.value}`)).statusCode).toBe(200);
    expect(t.app.staff.securityNotices.recent().map((n) => [n.kind, n.subject])).toEqual([['staff_password', 'H001']]);
  });
});
