// The customer progress API (API.md §2) over real HTTP (supertest), on a fresh SQLite database per test.
//
// Calendar facts used below (Asia/Shanghai, 2026 per the State Council schedule): 2026-11-24 is a Tuesday;
// 11-28/29 are a weekend; no holidays or make-up days in late November 2026.
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { applicationBody, buildTestApp as buildApp, handlerBody, SYNC_TOKEN, type TestApp } from '../support/app.ts';
import { databaseSnapshot } from '../support/db-snapshot.ts';
import type { ProgressView } from '../../server/web/shared/contract.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const ACCOUNT = '5300123456';
const CODE = '482913';

const buildTestApp = (options: Parameters<typeof buildApp>[0] = {}) => buildApp({ ...options, deps: { startDispatcher: false, ...options.deps } });

const http = (t: TestApp) => supertest(t.app.server);

async function sync(t: TestApp, method: 'put' | 'post', url: string, body: unknown) {
  const res = await http(t)[method](`/api/v1/sync${url}`).set('authorization', `Bearer ${SYNC_TOKEN}`).send(body as object);
  expect(res.status, res.text).toBeLessThan(300);
  return res;
}

const event = (eventId: string, applicationNo: string, stepCode: string, type: 'step_started' | 'step_completed', at: string) => ({
  eventId,
  applicationNo,
  stepCode,
  type,
  at,
  handlerId: 'H001',
});

/**
 * Account 5300123456 (code 482913) has YX2026-0001 (accepted 11-20, survey running with 李明) and YX2026-0002
 * (accepted 11-22); account 5300999999 (code 111111) has YX2026-0003.
 */
async function seed(t: TestApp) {
  await sync(t, 'put', '/handlers/H001', handlerBody());
  await sync(t, 'put', '/applications/YX2026-0001', applicationBody());
  await sync(t, 'put', '/applications/YX2026-0002', applicationBody({ processCode: 'lv_business', acceptedAt: '2026-11-22T14:00:00+08:00', requestedConnectDate: null }));
  await sync(t, 'put', '/applications/YX2026-0003', applicationBody({ accountNo: '5300999999', customerName: '张三', queryCode: '111111', phone: '13700002222' }));
  await sync(t, 'post', '/events', {
    events: [
      event('EV-1', 'YX2026-0001', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'YX2026-0001', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-3', 'YX2026-0001', 'survey', 'step_started', '2026-11-23T09:00:00+08:00'),
    ],
  });
}

function query(t: TestApp, accountNo: string, queryCode: string) {
  return http(t).post('/api/v1/progress/query').send({ accountNo, queryCode });
}

function read(t: TestApp, applicationNo: string, token?: string) {
  const request = http(t).get(`/api/v1/progress/${applicationNo}`);
  return token === undefined ? request : request.set('authorization', `Bearer ${token}`);
}

async function tokenFor(t: TestApp, accountNo = ACCOUNT, queryCode = CODE): Promise<string> {
  const res = await query(t, accountNo, queryCode);
  expect(res.status, res.text).toBe(200);
  return res.body.viewToken as string;
}

function expectContractError(res: supertest.Response, statusCode: number, code: string) {
  expect(res.status).toBe(statusCode);
  expect(res.body).toMatchObject({ statusCode, code, error: expect.any(String), message: expect.any(String) });
  expect(res.headers['x-request-id']).toBeTruthy();
}

describe('progress query', () => {
  it('returns the account\'s applications masked, newest first, with a view token valid for 15 minutes', async () => {
    const t = await buildTestApp();
    await seed(t);
    const res = await query(t, ACCOUNT, CODE);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(typeof res.body.viewToken).toBe('string');
    // now is 2026-11-24 10:00 +08:00
    expect(res.body.expiresAt).toBe('2026-11-24T10:15:00+08:00');
    const applications = res.body.applications as ProgressView[];
    // 0002 was accepted 11-22, 0001 on 11-20; 0003 belongs to another account
    expect(applications.map((a) => a.applicationNo)).toEqual(['YX2026-0002', 'YX2026-0001']);
    // 玉溪某某食品有限公司: 10 characters, the first kept
    expect(applications.every((a) => a.customerName === '玉*********')).toBe(true);
    const survey = applications[1]!.currentStep!;
    expect(survey).toMatchObject({ code: 'survey', status: 'in_progress', handler: { name: '李*', phone: '13912345678' } });
    // neither the customer's phone, address nor the query code is in the answer
    expect(res.text).not.toContain('13800001111');
    expect(res.text).not.toContain('玉兴路');
    expect(res.text).not.toContain(CODE);
    expect(res.text).not.toContain('李明');
  });

  it('an application of the same account with another query code is not included', async () => {
    const t = await buildTestApp();
    await seed(t);
    await sync(t, 'put', '/applications/YX2026-0004', applicationBody({ queryCode: '999999', acceptedAt: '2026-11-23T09:00:00+08:00' }));
    const res = await query(t, ACCOUNT, CODE);
    expect((res.body.applications as ProgressView[]).map((a) => a.applicationNo)).toEqual(['YX2026-0002', 'YX2026-0001']);
    const other = await query(t, ACCOUNT, '999999');
    expect((other.body.applications as ProgressView[]).map((a) => a.applicationNo)).toEqual(['YX2026-0004']);
  });

  it('an unknown account and a wrong code get byte-identical 401 JD_BAD_CREDENTIALS bodies', async () => {
    const t = await buildTestApp();
    await seed(t);
    const unknown = await query(t, '5300000000', CODE);
    const wrong = await query(t, ACCOUNT, '000000');
    expectContractError(unknown, 401, 'JD_BAD_CREDENTIALS');
    expectContractError(wrong, 401, 'JD_BAD_CREDENTIALS');
    expect(unknown.text).toBe(wrong.text);
    expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    expect(unknown.headers['content-length']).toBe(wrong.headers['content-length']);
  });

  it('after 5 failures for one account the next attempt is 429 JD_RATE_LIMITED with Retry-After, even with the right code', async () => {
    const t = await buildTestApp();
    await seed(t);
    for (let i = 0; i < 5; i++) expectContractError(await query(t, ACCOUNT, `00000${i}`), 401, 'JD_BAD_CREDENTIALS');
    const limited = await query(t, ACCOUNT, CODE);
    expectContractError(limited, 429, 'JD_RATE_LIMITED');
    // the five failures were all at 10:00: the oldest leaves the 15-minute window in 900 s
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.body.retryAfterSeconds).toBe(900);
    // another account from the same client is not affected
    expect((await query(t, '5300999999', '111111')).status).toBe(200);
  });

  it('the per-account limit lifts once the window has passed', async () => {
    const t = await buildTestApp();
    await seed(t);
    for (let i = 0; i < 5; i++) await query(t, ACCOUNT, `00000${i}`);
    t.clock.advance(10 * MINUTE);
    const stillLimited = await query(t, ACCOUNT, CODE);
    expect(stillLimited.status).toBe(429);
    expect(stillLimited.headers['retry-after']).toBe('300');
    t.clock.advance(5 * MINUTE);
    expect((await query(t, ACCOUNT, CODE)).status).toBe(200);
  });

  it('a success clears the account\'s failures', async () => {
    const t = await buildTestApp();
    await seed(t);
    for (let i = 0; i < 4; i++) await query(t, ACCOUNT, `00000${i}`);
    expect((await query(t, ACCOUNT, CODE)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await query(t, ACCOUNT, `00000${i}`)).status).toBe(401);
    expect((await query(t, ACCOUNT, CODE)).status).toBe(200);
  });

  it('after 20 failures from one client address over different accounts, that client is limited for every account', async () => {
    const t = await buildTestApp();
    await seed(t);
    for (let i = 0; i < 20; i++) {
      const res = await query(t, `53001000${String(i).padStart(2, '0')}`, '000000');
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const limited = await query(t, ACCOUNT, CODE);
    expectContractError(limited, 429, 'JD_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('900');
    t.clock.advance(15 * MINUTE);
    expect((await query(t, ACCOUNT, CODE)).status).toBe(200);
  });

  const malformed: [string, Record<string, unknown>, string][] = [
    ['an empty body', {}, 'body.accountNo'],
    ['a missing queryCode', { accountNo: ACCOUNT }, 'body.queryCode'],
    ['an account number sent as a number', { accountNo: 5300123456, queryCode: CODE }, 'body.accountNo'],
    ['a query code sent as a number', { accountNo: ACCOUNT, queryCode: 482913 }, 'body.queryCode'],
    ['an empty query code', { accountNo: ACCOUNT, queryCode: '' }, 'body.queryCode'],
    ['an over-long account number', { accountNo: '5'.repeat(33), queryCode: CODE }, 'body.accountNo'],
  ];
  for (const [what, body, field] of malformed) {
    it(`${what} is 400 JD_INVALID_REQUEST naming ${field} and does not count as a failure`, async () => {
      const t = await buildTestApp();
      await seed(t);
      for (let i = 0; i < 6; i++) {
        const res = await http(t).post('/api/v1/progress/query').send(body);
        expectContractError(res, 400, 'JD_INVALID_REQUEST');
        expect(res.body.message).toContain(field);
      }
      expect((await query(t, ACCOUNT, CODE)).status).toBe(200);
    });
  }

  it('a body that is not JSON is 400 JD_INVALID_REQUEST', async () => {
    const t = await buildTestApp();
    const res = await http(t).post('/api/v1/progress/query').set('content-type', 'application/json').send('{"accountNo":');
    expectContractError(res, 400, 'JD_INVALID_REQUEST');
  });
});

describe('reading one application with the view token', () => {
  it('GET with the token returns the masked application', async () => {
    const t = await buildTestApp();
    await seed(t);
    const token = await tokenFor(t);
    const res = await read(t, 'YX2026-0001', token);
    expect(res.status).toBe(200);
    const view = res.body.application as ProgressView;
    expect(view).toMatchObject({ applicationNo: 'YX2026-0001', accountNo: ACCOUNT, customerName: '玉*********' });
    expect(view.currentStep?.handler).toEqual({ name: '李*', phone: '13912345678' });
  });

  it('another account\'s application, or one that does not exist, is 404 JD_NOT_FOUND', async () => {
    const t = await buildTestApp();
    await seed(t);
    const token = await tokenFor(t);
    expectContractError(await read(t, 'YX2026-0003', token), 404, 'JD_NOT_FOUND');
    expectContractError(await read(t, 'YX2026-9999', token), 404, 'JD_NOT_FOUND');
  });

  it('the token grants only the applications it was issued for', async () => {
    const t = await buildTestApp();
    await seed(t);
    const token = await tokenFor(t);
    await sync(t, 'put', '/applications/YX2026-0005', applicationBody({ acceptedAt: '2026-11-24T09:00:00+08:00' }));
    expectContractError(await read(t, 'YX2026-0005', token), 404, 'JD_NOT_FOUND');
    expect((await read(t, 'YX2026-0005', await tokenFor(t))).status).toBe(200);
  });

  it('a missing, garbage, sync or forged token is 401 JD_UNAUTHORIZED', async () => {
    const t = await buildTestApp();
    await seed(t);
    const token = await tokenFor(t);
    expectContractError(await read(t, 'YX2026-0001'), 401, 'JD_UNAUTHORIZED');
    expectContractError(await read(t, 'YX2026-0001', 'garbage'), 401, 'JD_UNAUTHORIZED');
    expectContractError(await read(t, 'YX2026-0001', SYNC_TOKEN), 401, 'JD_UNAUTHORIZED');
    expectContractError(await http(t).get('/api/v1/progress/YX2026-0001').set('authorization', token), 401, 'JD_UNAUTHORIZED');
    // the token's claims rewritten to another account, signature kept
    const [, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ c: { a: '5300999999', n: ['YX2026-0003'] }, e: Date.now() + 3_600_000 })).toString('base64url');
    expectContractError(await read(t, 'YX2026-0003', `${forged}.${signature}`), 401, 'JD_UNAUTHORIZED');
  });

  it('the token expires after 15 minutes', async () => {
    const t = await buildTestApp();
    await seed(t);
    const token = await tokenFor(t);
    t.clock.advance(14 * MINUTE);
    expect((await read(t, 'YX2026-0001', token)).status).toBe(200);
    t.clock.advance(2 * MINUTE); // 16 minutes after issue
    expectContractError(await read(t, 'YX2026-0001', token), 401, 'JD_UNAUTHORIZED');
  });
});

describe('what the customer sees of the plan', () => {
  /** lv_resident (accept 1/1, survey 1/1, connect 3/2 limit/typical workdays), no requested date. */
  async function residential(t: TestApp, events: ReturnType<typeof event>[]) {
    await sync(t, 'put', '/handlers/H001', handlerBody());
    await sync(t, 'put', '/applications/YX2026-0101', applicationBody({ processCode: 'lv_resident', requestedConnectDate: null, acceptedAt: '2026-11-20T09:00:00+08:00' }));
    await sync(t, 'post', '/events', { events });
  }

  it('shows the running step as current with its due time, the next step, and flags it overdue once past due', async () => {
    // Today 2026-11-24 (Tue). accept done this morning; survey started 09:00. survey: planned end = today,
    // due = end of the earlier of planned end and start + 1 − 1 workdays = 2026-11-24 23:59:59.
    // connect (typical 2, limit 3): 11-25 … 11-26; due = min(11-26, 11-25 + 3 − 1 = 11-27) → 11-26 23:59:59.
    const t = await buildTestApp();
    await residential(t, [
      event('EV-1', 'YX2026-0101', 'accept', 'step_started', '2026-11-24T08:30:00+08:00'),
      event('EV-2', 'YX2026-0101', 'accept', 'step_completed', '2026-11-24T08:45:00+08:00'),
      event('EV-3', 'YX2026-0101', 'survey', 'step_started', '2026-11-24T09:00:00+08:00'),
    ]);
    const view = (await read(t, 'YX2026-0101', await tokenFor(t))).body.application as ProgressView;
    expect(view.currentStep).toMatchObject({
      code: 'survey',
      status: 'in_progress',
      plannedStart: '2026-11-24',
      plannedEnd: '2026-11-24',
      dueAt: '2026-11-24T23:59:59+08:00',
      overdue: false,
      handler: { name: '李*', phone: '13912345678' },
    });
    expect(view.nextStep).toMatchObject({
      code: 'connect',
      status: 'pending',
      plannedStart: '2026-11-25',
      plannedEnd: '2026-11-26',
      dueAt: '2026-11-26T23:59:59+08:00',
      overdue: false,
    });
    expect(view.expectedConnectDate).toBe('2026-11-26');

    t.clock.set(Date.parse('2026-11-24T23:59:00+08:00'));
    expect(((await read(t, 'YX2026-0101', await tokenFor(t))).body.application as ProgressView).currentStep?.overdue).toBe(false);

    t.clock.set(Date.parse('2026-11-25T00:00:01+08:00'));
    const late = (await read(t, 'YX2026-0101', await tokenFor(t))).body.application as ProgressView;
    expect(late.currentStep).toMatchObject({ code: 'survey', dueAt: '2026-11-24T23:59:59+08:00', overdue: true });
    // still running on the 25th: planned to end today, so connect moves to 11-26 … 11-27
    expect(late.currentStep?.plannedEnd).toBe('2026-11-25');
    expect(late.nextStep).toMatchObject({ code: 'connect', plannedStart: '2026-11-26', plannedEnd: '2026-11-27', overdue: false });
    expect(late.expectedConnectDate).toBe('2026-11-27');
  });

  it('the plan is refreshed when read on a later day: a late step pushes the expected date back', async () => {
    // survey started Mon 11-23 and is still running. On Tue 11-24: survey planned to end 11-24, connect 11-25 … 11-26.
    // Read again on Thu 11-26 with survey still running: survey ends 11-26 at the earliest, connect 11-27 (Fri)
    // … 11-30 (Mon, over the weekend of 11-28/29).
    const t = await buildTestApp();
    await residential(t, [
      event('EV-1', 'YX2026-0101', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'YX2026-0101', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-3', 'YX2026-0101', 'survey', 'step_started', '2026-11-23T09:00:00+08:00'),
    ]);
    const plannedOn = async () => (await t.sql("SELECT planned_on AS d FROM applications WHERE application_no = 'YX2026-0101'"))[0];
    const today = (await read(t, 'YX2026-0101', await tokenFor(t))).body.application as ProgressView;
    expect(today.expectedConnectDate).toBe('2026-11-26');
    expect(today.currentStep).toMatchObject({ code: 'survey', plannedEnd: '2026-11-24', dueAt: '2026-11-23T23:59:59+08:00', overdue: true });
    expect(await plannedOn()).toEqual({ d: '2026-11-24' });

    t.clock.advance(2 * DAY);
    // the query shows today's plan, computed as it reads; a read writes nothing
    const before = await databaseSnapshot(t);
    const later = ((await query(t, ACCOUNT, CODE)).body.applications as ProgressView[])[0]!;
    expect(await databaseSnapshot(t)).toEqual(before);
    expect(await plannedOn()).toEqual({ d: '2026-11-24' });
    expect(later.currentStep).toMatchObject({ code: 'survey', plannedEnd: '2026-11-26', overdue: true });
    expect(later.nextStep).toMatchObject({ code: 'connect', plannedStart: '2026-11-27', plannedEnd: '2026-11-30' });
    expect(later.expectedConnectDate).toBe('2026-11-30');
    // the sweep's plan refresh stores that plan
    await t.app.timeLimits.sweeper.sweep();
    expect(await plannedOn()).toEqual({ d: '2026-11-26' });
    expect(((await query(t, ACCOUNT, CODE)).body.applications as ProgressView[])[0]).toEqual(later);
  });

  it('a GET on a later day refreshes the plan too', async () => {
    const t = await buildTestApp();
    await residential(t, [event('EV-3', 'YX2026-0101', 'survey', 'step_started', '2026-11-23T09:00:00+08:00')]);
    // the query at Thu 11-26 23:50 plans for the 26th; the GET 14 minutes later (token still valid) is on Fri 11-27
    t.clock.set(Date.parse('2026-11-26T23:50:00+08:00'));
    const token = await tokenFor(t);
    t.clock.advance(14 * MINUTE);
    const view = (await read(t, 'YX2026-0101', token)).body.application as ProgressView;
    // survey running on 11-27: ends 11-27; connect 11-30 … 12-01
    expect(view.nextStep).toMatchObject({ code: 'connect', plannedStart: '2026-11-30', plannedEnd: '2026-12-01' });
    expect(view.expectedConnectDate).toBe('2026-12-01');
  });
});
