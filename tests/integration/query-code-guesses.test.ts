// One allowance of query-code guesses for both routes a client can type a query code into — POST
// /api/v1/progress/query and the kiosk/web chat — per client address (20 in 15 minutes) and per account and client
// address (5). The account's hourly ceiling, whatever the addresses, is in query-code-strangers.test.ts.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { fakeTwilioForTest } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp } from '../support/chat.ts';
import { QUERY_CODE_WINDOW_MS, WRONG_QUERY_CODES_PER_CLIENT, WRONG_QUERY_CODES_PER_PAIR } from '../../server/customers/query-code-guesses.ts';

const ATTACKER = '10.0.0.66';
const HONEST = '10.0.0.7';

function query(t: TestApp, accountNo: string, queryCode: string, remoteAddress: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/progress/query', remoteAddress, payload: { accountNo, queryCode } });
}

function kiosk(t: TestApp, sessionId: string, text: string, remoteAddress: string): Promise<string> {
  return t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress, payload: { sessionId, text } }).then((r) => {
    expect(r.statusCode).toBe(200);
    return (r.json().replies as string[]).join('\n');
  });
}

let sessions = 0;
const newSession = () => `kiosk-session-${String(++sessions).padStart(8, '0')}`;

/** accounts nobody has: each takes wrong codes without reaching its own per-account limit */
const strangerAccount = (i: number) => `53001000${String(i).padStart(2, '0')}`;

/** A fresh kiosk session binds ACCOUNT_NO with its right query code; the reply. */
async function kioskBind(t: TestApp, remoteAddress: string): Promise<string> {
  const session = newSession();
  await kiosk(t, session, `绑定 ${ACCOUNT_NO}`, remoteAddress);
  return kiosk(t, session, QUERY_CODE, remoteAddress);
}

async function app() {
  return chatApp(await fakeTwilioForTest());
}

describe('wrong query codes per client address, shared by POST /api/v1/progress/query and the kiosk chat', () => {
  it(`${WRONG_QUERY_CODES_PER_CLIENT} wrong ones on POST /progress/query leave none for the kiosk chat`, async () => {
    const t = await app();
    for (let i = 0; i < WRONG_QUERY_CODES_PER_CLIENT; i++) expect((await query(t, strangerAccount(i), '000000', ATTACKER)).statusCode).toBe(401);

    const locked = await kioskBind(t, ATTACKER);
    expect(locked).toContain('已暂停');
    expect(locked).not.toContain('绑定成功');
    // another client is not affected
    expect(await kioskBind(t, HONEST)).toContain('绑定成功');
    // and the attacker's client may try again once the window has passed
    t.clock.advance(QUERY_CODE_WINDOW_MS + 1000);
    expect(await kioskBind(t, ATTACKER)).toContain('绑定成功');
  });

  it(`${WRONG_QUERY_CODES_PER_CLIENT} wrong ones in the kiosk chat leave none for POST /progress/query`, async () => {
    const t = await app();
    let wrong = 0;
    for (let a = 0; wrong < WRONG_QUERY_CODES_PER_CLIENT; a++) {
      // a new session per account, 4 codes each: no session reaches its own lock of 5, no account its limit
      const session = newSession();
      await kiosk(t, session, `绑定 ${strangerAccount(a)}`, ATTACKER);
      for (let n = 0; n < 4; n++, wrong++) expect(await kiosk(t, session, String(100000 + wrong), ATTACKER)).toContain('还可再试');
    }

    const limited = await query(t, ACCOUNT_NO, QUERY_CODE, ATTACKER);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'JD_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await query(t, ACCOUNT_NO, QUERY_CODE, HONEST)).statusCode).toBe(200);
  });
});

describe('wrong query codes per account and client address, shared by both routes', () => {
  it(`${WRONG_QUERY_CODES_PER_PAIR} wrong ones on POST /progress/query from one client lock that client out of the account in the kiosk chat too, not other clients`, async () => {
    const t = await app();
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR; i++) expect((await query(t, ACCOUNT_NO, `00000${i}`, ATTACKER)).statusCode).toBe(401);

    const locked = await kioskBind(t, ATTACKER);
    expect(locked).toContain('已暂停');
    expect(await kioskBind(t, HONEST)).toContain('绑定成功');
    t.clock.advance(QUERY_CODE_WINDOW_MS + 1000);
    expect(await kioskBind(t, ATTACKER)).toContain('绑定成功');
  });

  it(`${WRONG_QUERY_CODES_PER_PAIR} wrong ones in the kiosk chat from one client lock it out of the account on POST /progress/query too, not other clients`, async () => {
    const t = await app();
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR; i++) {
      const session = newSession();
      await kiosk(t, session, `绑定 ${ACCOUNT_NO}`, ATTACKER);
      expect(await kiosk(t, session, `00000${i}`, ATTACKER)).toContain('还可再试');
    }

    const limited = await query(t, ACCOUNT_NO, QUERY_CODE, ATTACKER);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'JD_RATE_LIMITED' });
    expect((await query(t, ACCOUNT_NO, QUERY_CODE, HONEST)).statusCode).toBe(200);
  });

  it('the right code on either route starts that client\'s count at the account again', async () => {
    const t = await app();
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR - 1; i++) await query(t, ACCOUNT_NO, `00000${i}`, HONEST);
    expect(await kioskBind(t, HONEST)).toContain('绑定成功');
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR - 1; i++) await query(t, ACCOUNT_NO, `00000${i}`, HONEST);
    const reply = await query(t, ACCOUNT_NO, QUERY_CODE, HONEST);
    expect(reply.statusCode).toBe(200);
    expect(reply.json().applications.map((a: { applicationNo: string }) => a.applicationNo)).toEqual([APPLICATION_NO]);
  });
});
