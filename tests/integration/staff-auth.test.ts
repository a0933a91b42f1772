// Staff sign-in over HTTP: scrypt passwords, rate-limited failures, a signed session token or its httpOnly cookie.
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { putHandler } from '../support/notices.ts';
import { api, listen, PASSWORD, signIn, staffOf, viewToken, customerA, hurryScenario } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-24T10:00:00+08:00');

async function setUp(env: Record<string, string> = {}): Promise<{ t: TestApp; base: string }> {
  const t = await buildTestApp({ now: NOW, env, deps: { startSweeper: false } });
  for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
  await t.app.staff.auth.setPassword('H001', PASSWORD);
  return { t, base: await listen(t) };
}

const login = (base: string, handlerId: string, password: string, headers: Record<string, string> = {}) =>
  api(base, 'POST', '/api/v1/staff/login', { body: { handlerId, password }, headers });

const BAD_CREDENTIALS = { statusCode: 401, code: 'JD_BAD_CREDENTIALS', error: 'Unauthorized', message: 'handler id and password do not match' };

describe('staff sign-in', () => {
  it('answers a session token, its expiry and who signed in', async () => {
    const { base } = await setUp();
    const reply = await login(base, 'H001', PASSWORD);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      token: expect.any(String),
      expiresAt: '2026-11-24T22:00:00+08:00',
      handler: { handlerId: 'H001', name: '李明', role: 'handler', teamId: 'T01', teamName: '业扩一班' },
    });
    expect((await api(base, 'GET', '/api/v1/staff/queue', { token: reply.body.token })).status).toBe(200);
  });

  it('answers a wrong password, an unknown handler and a handler without a password alike: 401 JD_BAD_CREDENTIALS', async () => {
    const { base } = await setUp();
    const answers = [await login(base, 'H001', 'wrong password'), await login(base, 'H404', PASSWORD), await login(base, 'H002', PASSWORD)];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(BAD_CREDENTIALS);
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
  });

  it('refuses sign-ins after 5 failures in 15 minutes with 429 and Retry-After, even with the right password, then lets them in', async () => {
    const { t, base } = await setUp();
    for (let minute = 0; minute < 5; minute++) {
      t.clock.set(NOW + minute * 60_000);
      expect((await login(base, 'H001', `guess ${minute}`)).status).toBe(401);
    }

    t.clock.set(NOW + 5 * 60_000);
    const limited = await login(base, 'H001', PASSWORD);

    expect(limited.status).toBe(429);
    // the first failure (10:00) stops counting at 10:15: 10 minutes from 10:05
    expect(limited.headers.get('retry-after')).toBe('600');
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'JD_RATE_LIMITED', retryAfterSeconds: 600 });
    // another handler from the same address is not locked out by these five
    await t.app.staff.auth.setPassword('H002', PASSWORD);
    expect((await login(base, 'H002', PASSWORD)).status).toBe(200);

    t.clock.set(NOW + 15 * 60_000);
    expect((await login(base, 'H001', PASSWORD)).status).toBe(200);
  });

  it('refuses a client address after 20 failures across handlers', async () => {
    const { base } = await setUp();
    for (let i = 0; i < 20; i++) expect((await login(base, `H9${String(i).padStart(2, '0')}`, 'guess')).status).toBe(401);
    const limited = await login(base, 'H001', PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('JD_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBe(900);
  });

  it('sets an httpOnly, same-site session cookie that works instead of the bearer header', async () => {
    const { base } = await setUp();
    const reply = await login(base, 'H001', PASSWORD);
    const [cookie] = reply.headers.getSetCookie();
    const attributes = cookie!.split('; ');
    expect(attributes[0]).toBe(`jiedian_staff=${reply.body.token as string}`);
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Strict']);

    const withCookie = await api(base, 'GET', '/api/v1/staff/queue', { cookie: attributes[0] });
    expect(withCookie.status).toBe(200);
    expect(withCookie.body).toMatchObject({ hurries: [], alerts: [] });
    expect((await api(base, 'GET', '/api/v1/staff/queue')).status).toBe(401);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const { base } = await setUp({ PUBLIC_URL: 'https://jiedian.example.cn' });
    const [cookie] = (await login(base, 'H001', PASSWORD)).headers.getSetCookie();
    expect(cookie!.split('; ')).toContain('Secure');
  });

  it('clears the cookie on sign-out', async () => {
    const { base } = await setUp();
    const reply = await api(base, 'POST', '/api/v1/staff/logout');
    expect(reply.status).toBe(204);
    expect(reply.headers.getSetCookie()[0]).toMatch(/^jiedian_staff=; .*Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
  });

  it('ends a session after 12 hours: 401 by header and by cookie', async () => {
    const { t, base } = await setUp();
    const { token, cookie } = await signIn(t, base, 'H001');

    t.clock.set(NOW + 12 * 60 * 60_000 - 1);
    expect((await api(base, 'GET', '/api/v1/staff/queue', { token })).status).toBe(200);

    t.clock.set(NOW + 12 * 60 * 60_000);
    for (const credentials of [{ token }, { cookie }]) {
      const expired = await api(base, 'GET', '/api/v1/staff/queue', credentials);
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({
        statusCode: 401,
        code: 'JD_UNAUTHORIZED',
        error: 'Unauthorized',
        message: 'sign in first: missing, invalid or expired staff token',
      });
    }
  });

  it('refuses a forged token, a token of another secret and a customer view token', async () => {
    const { t, base } = await setUp();
    await hurryScenario(t);
    const { token } = await signIn(t, base, 'H001');
    const other = await buildTestApp({ now: NOW, env: { JIEDIAN_SECRET: 'another-secret-0123456789-0123456789-xyz' } });
    await putHandler(other, 'H001', staffOf.H001);
    await other.app.staff.auth.setPassword('H001', PASSWORD);
    const foreign = (await other.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { handlerId: 'H001', password: PASSWORD } })).json().token as string;
    const customer = await viewToken(base, customerA.accountNo, customerA.queryCode);

    for (const bad of [token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'), foreign, customer, 'not-a-token']) {
      expect((await api(base, 'GET', '/api/v1/staff/queue', { token: bad })).status).toBe(401);
      expect((await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { token: bad })).status).toBe(401);
    }
  });

  it('keeps the application view from the sync token: only staff sessions open it', async () => {
    const { t, base } = await setUp();
    await hurryScenario(t);
    const bySyncToken = await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { headers: t.sync });
    expect(bySyncToken.status).toBe(401);
    const { token } = await signIn(t, base, 'H001');
    const byStaff = await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { token });
    expect(byStaff.status).toBe(200);
    // staff see the application unmasked
    expect(byStaff.body.application).toMatchObject({ applicationNo: 'YX2026-0001', customerName: '玉溪某某食品有限公司' });
  });
});
