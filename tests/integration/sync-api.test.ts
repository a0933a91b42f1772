// The sync API (API.md §1) over HTTP, on a fresh database per test (SQLite, or PostgreSQL in the postgres project).
//
// Calendar facts the expected dates below rest on (Asia/Shanghai):
// - 2026 follows the State Council schedule (chinese-days); late Nov and Dec 2026 have no holidays and no
//   make-up days: Mon–Fri are workdays. 2026-11-24 (the test clock's "today") is a Tuesday.
// - 2027 has no official schedule yet, so it is provisional: the statutory holidays of 全国年节及纪念日放假办法
//   (2024), no make-up workdays, plus the days in lieu its article 6 grants (a holiday on a Saturday or Sunday is
//   made up on the next weekday). 2027-01-01 (Fri) is 元旦; 春节 is 除夕 2027-02-05 (Fri) to 初三 2027-02-08 (Mon),
//   and as 02-06/07 fall on the weekend, 02-09 (Tue) and 02-10 (Wed) are off in lieu. 2027-03-01 is a Monday.
import { describe, expect, it } from 'vitest';
import { applicationBody, buildTestApp as buildApp, DEFAULT_NOW, handlerBody, sharedTestDatabase, SYNC_TOKEN, type TestApp } from '../support/app.ts';
import { databaseSnapshot } from '../support/db-snapshot.ts';
import type { ProgressView } from '../../server/web/shared/contract.ts';

const APP_NO = 'YX2026-0001';

/** The outbox dispatcher stays stopped: queued notices keep still, so database snapshots compare exactly. */
const buildTestApp = (options: Parameters<typeof buildApp>[0] = {}) => buildApp({ ...options, deps: { startDispatcher: false, ...options.deps } });
const MINUTE = 60_000;

/** The single number a `SELECT count(*) AS n …` answers (PostgreSQL gives a bigint as text). */
const count = async (t: TestApp, sql: string) => Number((await t.sql(sql))[0]!.n);

function putHandler(t: TestApp, handlerId = 'H001', over: Record<string, unknown> = {}) {
  return t.app.inject({ method: 'PUT', url: `/api/v1/sync/handlers/${handlerId}`, headers: t.sync, payload: handlerBody(over) });
}

function putApplication(t: TestApp, over: Record<string, unknown> = {}, applicationNo = APP_NO) {
  return t.app.inject({ method: 'PUT', url: `/api/v1/sync/applications/${applicationNo}`, headers: t.sync, payload: applicationBody(over) });
}

function postEvents(t: TestApp, events: unknown[]) {
  return t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } });
}

function event(eventId: string, stepCode: string, type: 'step_started' | 'step_completed', at: string, over: Record<string, unknown> = {}) {
  return { eventId, applicationNo: APP_NO, stepCode, type, at, handlerId: 'H001', ...over };
}

/** The staff view as the application PUT returns it (an identical body returns it without changing anything). */
async function staffView(t: TestApp, over: Record<string, unknown> = {}, applicationNo = APP_NO): Promise<ProgressView> {
  const res = await putApplication(t, over, applicationNo);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().application as ProgressView;
}

const stepOf = (view: ProgressView, code: string) => view.steps.find((s) => s.code === code)!;
const plannedDates = (view: ProgressView) => Object.fromEntries(view.steps.map((s) => [s.code, [s.plannedStart, s.plannedEnd]]));

function expectContractError(res: { statusCode: number; json(): unknown }, statusCode: number, code: string, error: string) {
  expect(res.statusCode).toBe(statusCode);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ statusCode, code, error });
  expect(typeof body.message).toBe('string');
  return body as { statusCode: number; code: string; error: string; message: string };
}

describe('sync API: authentication', () => {
  const requests = [
    { method: 'PUT' as const, url: '/api/v1/sync/handlers/H001', payload: handlerBody() },
    { method: 'PUT' as const, url: `/api/v1/sync/applications/${APP_NO}`, payload: applicationBody() },
    { method: 'POST' as const, url: '/api/v1/sync/events', payload: { events: [event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00')] } },
  ];
  const wrongHeaders: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-sync-token-at-all' }],
    ['a token differing only in its last character', { authorization: `Bearer ${SYNC_TOKEN.slice(0, -1)}${SYNC_TOKEN.endsWith('7') ? '8' : '7'}` }],
    ['the token with a character appended', { authorization: `Bearer ${SYNC_TOKEN}x` }],
    ['the token without the Bearer scheme', { authorization: SYNC_TOKEN }],
    ['the token under another scheme', { authorization: `Basic ${SYNC_TOKEN}` }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
  ];

  for (const [what, headers] of wrongHeaders) {
    it(`every sync endpoint answers 401 JD_UNAUTHORIZED to ${what} and stores nothing`, async () => {
      const t = await buildTestApp();
      const before = await databaseSnapshot(t);
      for (const request of requests) {
        const res = await t.app.inject({ ...request, headers });
        expectContractError(res, 401, 'JD_UNAUTHORIZED', 'Unauthorized');
        expect(res.headers['x-request-id']).toBeTruthy();
      }
      expect(await databaseSnapshot(t)).toEqual(before);
    });
  }

  it('a rejected token is rejected before the body is looked at (a malformed body still gets 401)', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: { 'content-type': 'application/json' }, payload: '{"events":' });
    expectContractError(res, 401, 'JD_UNAUTHORIZED', 'Unauthorized');
  });
});

describe('sync API: handlers', () => {
  it('a handler PUT creates the handler and its team, and a second PUT updates them', async () => {
    const t = await buildTestApp();
    const created = await putHandler(t);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({
      handler: { id: 'H001', name: '李明', phone: '13912345678', teamId: 'T01', teamName: '业扩一班', role: 'handler' },
    });
    const updated = await putHandler(t, 'H001', { name: '李明明', teamId: 'T02', teamName: '业扩二班', role: 'team_lead' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toEqual({
      handler: { id: 'H001', name: '李明明', phone: '13912345678', teamId: 'T02', teamName: '业扩二班', role: 'team_lead' },
    });
    expect(await count(t, 'SELECT count(*) AS n FROM handlers')).toBe(1);
  });

  it('a handler with an unknown role or a missing name is 400 naming the field, and nothing is stored', async () => {
    const t = await buildTestApp();
    const before = await databaseSnapshot(t);
    const badRole = expectContractError(await putHandler(t, 'H001', { role: 'admin' }), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(badRole.message).toContain('body.role');
    const noName = expectContractError(await putHandler(t, 'H001', { name: undefined }), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(noName.message).toContain('body.name');
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it('a renamed handler shows under the new name on the steps they handle', async () => {
    const t = await buildTestApp();
    await putHandler(t);
    await putApplication(t);
    await postEvents(t, [event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00')]);
    expect(stepOf(await staffView(t), 'accept').handler).toEqual({ name: '李明', phone: '13912345678' });
    await putHandler(t, 'H001', { name: '王芳', phone: '13900000000' });
    expect(stepOf(await staffView(t), 'accept').handler).toEqual({ name: '王芳', phone: '13900000000' });
  });
});

describe('sync API: applications', () => {
  it('the first PUT creates the application (201) and answers the unmasked staff view; the next PUT is 200', async () => {
    const t = await buildTestApp();
    const created = await putApplication(t);
    expect(created.statusCode).toBe(201);
    const view = created.json().application as ProgressView;
    expect(view).toMatchObject({
      applicationNo: APP_NO,
      accountNo: '5300123456',
      customerName: '玉溪某某食品有限公司',
      processCode: 'hv_single',
      status: 'active',
      acceptedAt: '2026-11-20T09:00:00+08:00',
      requestedConnectDate: '2027-03-01',
      updatedAt: '2026-11-24T10:00:00+08:00',
    });
    expect(view.steps.map((s) => s.code)).toEqual([
      'accept', 'survey', 'plan_reply', 'design_review', 'construction', 'mid_inspection', 'completion_inspection', 'contract', 'connect',
    ]);
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);

    const updated = await putApplication(t, { address: '红塔区玉兴路 20 号' });
    expect(updated.statusCode).toBe(200);
    expect(await count(t, 'SELECT count(*) AS n FROM applications')).toBe(1);
  });

  it('upserting the same body twice changes nothing the second time (updatedAt kept, nothing re-planned)', async () => {
    const t = await buildTestApp();
    const first = (await putApplication(t)).json().application as ProgressView;
    const before = await databaseSnapshot(t);
    t.clock.advance(30 * MINUTE); // same day: a re-plan would stamp 10:30
    const again = await putApplication(t);
    expect(again.statusCode).toBe(200);
    expect(again.json().application).toEqual(first);
    expect((again.json().application as ProgressView).updatedAt).toBe('2026-11-24T10:00:00+08:00');
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it('the same instant written with another offset is the same body', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const before = await databaseSnapshot(t);
    t.clock.advance(MINUTE);
    expect((await putApplication(t, { acceptedAt: '2026-11-20T01:00:00Z' })).statusCode).toBe(200);
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it('a changed body is written and stamps updatedAt', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    t.clock.advance(30 * MINUTE);
    const view = await staffView(t, { customerName: '玉溪某某食品股份有限公司' });
    expect(view.customerName).toBe('玉溪某某食品股份有限公司');
    expect(view.updatedAt).toBe('2026-11-24T10:30:00+08:00');
  });

  it('the query code is stored only as a salted hash', async () => {
    const t = await buildTestApp();
    await putApplication(t, { queryCode: '482913' });
    const dump = JSON.stringify(await databaseSnapshot(t));
    expect(dump).not.toContain('482913');
  });

  it('an unknown processCode is 400 JD_INVALID_REQUEST naming body.processCode, and nothing is stored', async () => {
    const t = await buildTestApp();
    const before = await databaseSnapshot(t);
    const error = expectContractError(await putApplication(t, { processCode: 'hv_triple' }), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(error.message).toContain('body.processCode');
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  const malformed: [string, Record<string, unknown>, string][] = [
    ['a missing accountNo', { accountNo: undefined }, 'body.accountNo'],
    ['a missing queryCode', { queryCode: undefined }, 'body.queryCode'],
    ['a customerName over 100 characters', { customerName: '玉'.repeat(101) }, 'body.customerName'],
    ['an empty customerName', { customerName: '' }, 'body.customerName'],
    ['a customerName that is a number', { customerName: 42 }, 'body.customerName'],
    ['a capacityKva sent as text', { capacityKva: '630' }, 'body.capacityKva'],
    ['a queryCode sent as a number', { queryCode: 482913 }, 'body.queryCode'],
    ['a queryCode of 5 characters', { queryCode: '48291' }, 'body.queryCode'],
    ['a queryCode of 13 characters', { queryCode: '4829134829134' }, 'body.queryCode'],
    ['an acceptedAt without an offset', { acceptedAt: '2026-11-20T09:00:00' }, 'body.acceptedAt'],
    ['an acceptedAt that is not a date', { acceptedAt: 'yesterday' }, 'body.acceptedAt'],
    ['a requestedConnectDate that does not exist', { requestedConnectDate: '2027-02-30' }, 'body.requestedConnectDate'],
    ['a requestedConnectDate not written YYYY-MM-DD', { requestedConnectDate: '2027/03/01' }, 'body.requestedConnectDate'],
    ['a requestedConnectDate beyond the working calendar (a 500 before)', { requestedConnectDate: '2099-03-01' }, 'body.requestedConnectDate'],
    ['a requestedConnectDate before the working calendar (a 500 before)', { requestedConnectDate: '1999-03-01' }, 'body.requestedConnectDate'],
    ['an acceptedAt in year 10000 local time (a 500 on every read before)', { acceptedAt: '9999-12-31T23:00:00-10:00' }, 'body.acceptedAt'],
    ['an unknown status', { status: 'archived' }, 'body.status'],
    ['a phone that is not a number', { phone: 'call me' }, 'body.phone'],
  ];
  for (const [what, over, field] of malformed) {
    it(`${what} is 400 JD_INVALID_REQUEST naming ${field}, and the stored application is unchanged`, async () => {
      const t = await buildTestApp();
      await putApplication(t);
      const before = await databaseSnapshot(t);
      t.clock.advance(MINUTE);
      const error = expectContractError(await putApplication(t, over), 400, 'JD_INVALID_REQUEST', 'Bad Request');
      expect(error.message).toContain(field);
      expect(Object.keys(error).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
      expect(await databaseSnapshot(t)).toEqual(before);
    });
  }

  it('a body that is not JSON, or not an object, is 400 JD_INVALID_REQUEST and nothing is stored', async () => {
    const t = await buildTestApp();
    const before = await databaseSnapshot(t);
    const url = `/api/v1/sync/applications/${APP_NO}`;
    const json = { ...t.sync, 'content-type': 'application/json' };
    expectContractError(await t.app.inject({ method: 'PUT', url, headers: json, payload: '{"accountNo":' }), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    const array = expectContractError(await t.app.inject({ method: 'PUT', url, headers: json, payload: '[]' }), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(array.message).toContain('body');
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it('an application number with characters outside the identifier alphabet is 400 naming params.applicationNo', async () => {
    const t = await buildTestApp();
    const error = expectContractError(await putApplication(t, {}, 'YX 2026'), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(error.message).toContain('params.applicationNo');
  });

  it('unknown fields in the body are ignored', async () => {
    const t = await buildTestApp();
    const res = await putApplication(t, { colour: 'blue', nested: { a: 1 } });
    expect(res.statusCode).toBe(201);
    expect(res.json().application).not.toHaveProperty('colour');
  });
});

describe('sync API: event batches', () => {
  it('counts accepted, duplicate, parked and rejected events of one batch', async () => {
    const t = await buildTestApp();
    await putHandler(t);
    await putApplication(t);
    const res = await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2026-11-21T09:00:00+08:00', { applicationNo: 'YX2026-0404' }),
      event('EV-4', 'external_works', 'step_started', '2026-11-21T09:00:00+08:00'),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 1,
      parked: 1,
      rejected: [{ eventId: 'EV-4', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('external_works') }],
    });
  });

  it('a repeated eventId in a later batch is a duplicate and is not applied again', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    expect((await postEvents(t, [event('EV-1', 'survey', 'step_started', '2026-11-21T09:00:00+08:00')])).json()).toMatchObject({ accepted: 1 });
    // the same id again, even carrying something else, is only counted
    const again = await postEvents(t, [event('EV-1', 'survey', 'step_completed', '2026-11-23T09:00:00+08:00')]);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 1, parked: 0, rejected: [] });
    const survey = stepOf(await staffView(t), 'survey');
    expect(survey.status).toBe('in_progress');
    expect(survey.actualEnd).toBeNull();
  });

  it('a repeated eventId within one batch is applied once and counted once as a duplicate', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const res = await postEvents(t, [
      event('EV-1', 'survey', 'step_started', '2026-11-21T09:00:00+08:00'),
      event('EV-1', 'survey', 'step_completed', '2026-11-23T09:00:00+08:00'),
    ]);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 1, parked: 0, rejected: [] });
    expect(stepOf(await staffView(t), 'survey').status).toBe('in_progress');
    expect(await count(t, "SELECT count(*) AS n FROM sync_events WHERE event_id = 'EV-1'")).toBe(1);
  });

  it('a step_started event for an unknown application is parked and applied when the application arrives', async () => {
    const t = await buildTestApp();
    await putHandler(t);
    const parked = await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2026-11-23T09:00:00+08:00'),
    ]);
    expect(parked.json()).toEqual({ accepted: 0, duplicates: 0, parked: 3, rejected: [] });

    const created = await putApplication(t);
    expect(created.statusCode).toBe(201);
    const view = created.json().application as ProgressView;
    expect(stepOf(view, 'accept')).toMatchObject({
      status: 'done',
      actualStart: '2026-11-20T09:00:00+08:00',
      actualEnd: '2026-11-20T10:00:00+08:00',
    });
    expect(view.currentStep).toMatchObject({
      code: 'survey',
      status: 'in_progress',
      actualStart: '2026-11-23T09:00:00+08:00',
      handler: { name: '李明', phone: '13912345678' },
    });
    expect(view.nextStep?.code).toBe('plan_reply');

    // once applied, the parked events are known: sending them again is a duplicate
    const resent = await postEvents(t, [event('EV-3', 'survey', 'step_started', '2026-11-23T09:00:00+08:00')]);
    expect(resent.json()).toEqual({ accepted: 0, duplicates: 1, parked: 0, rejected: [] });
  });

  it('a parked event whose step is not in the arriving application\'s process is not applied', async () => {
    const t = await buildTestApp();
    await postEvents(t, [
      event('EV-1', 'external_works', 'step_started', '2026-11-21T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
    ]);
    const created = await putApplication(t);
    expect(created.statusCode).toBe(201);
    const view = created.json().application as ProgressView;
    expect(view.steps.map((s) => s.code)).not.toContain('external_works');
    expect(stepOf(view, 'accept').status).toBe('in_progress');
    const states = await t.sql('SELECT event_id AS id, state FROM sync_events ORDER BY event_id');
    expect(states).toEqual([
      { id: 'EV-1', state: 'rejected' },
      { id: 'EV-2', state: 'applied' },
    ]);
  });

  it('an older started event arriving after the completion does not roll the completed step back', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    await postEvents(t, [
      event('EV-1', 'survey', 'step_started', '2026-11-21T09:00:00+08:00'),
      event('EV-2', 'survey', 'step_completed', '2026-11-23T16:00:00+08:00'),
    ]);
    // a start from before both (e.g. an earlier attempt held up in the marketing system's outbox) arrives late
    const late = await postEvents(t, [event('EV-3', 'survey', 'step_started', '2026-11-20T15:00:00+08:00')]);
    expect(late.json()).toMatchObject({ accepted: 1, rejected: [] });
    const survey = stepOf(await staffView(t), 'survey');
    expect(survey).toMatchObject({ status: 'done', actualStart: '2026-11-21T09:00:00+08:00', actualEnd: '2026-11-23T16:00:00+08:00' });
  });

  it('a completion arriving before its start gives the same step as the other order', async () => {
    const inOrder = await buildTestApp();
    const reversed = await buildTestApp();
    const start = event('EV-1', 'survey', 'step_started', '2026-11-21T09:00:00+08:00');
    const done = event('EV-2', 'survey', 'step_completed', '2026-11-23T16:00:00+08:00', { handlerId: null });
    for (const t of [inOrder, reversed]) {
      await putHandler(t);
      await putApplication(t);
    }
    await postEvents(inOrder, [start]);
    await postEvents(inOrder, [done]);
    await postEvents(reversed, [done]);
    await postEvents(reversed, [start]);
    const a = await staffView(inOrder);
    const b = await staffView(reversed);
    expect(stepOf(b, 'survey')).toEqual(stepOf(a, 'survey'));
    expect(stepOf(b, 'survey')).toMatchObject({ status: 'done', handler: { name: '李明', phone: '13912345678' } });
  });

  it('a start newer than the completion reopens the step', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    await postEvents(t, [
      event('EV-1', 'survey', 'step_started', '2026-11-21T09:00:00+08:00'),
      event('EV-2', 'survey', 'step_completed', '2026-11-23T16:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2026-11-24T09:00:00+08:00'),
    ]);
    const view = await staffView(t);
    expect(view.currentStep).toMatchObject({ code: 'survey', status: 'in_progress', actualStart: '2026-11-24T09:00:00+08:00', actualEnd: null });
  });

  it('a stepCode not in the application\'s process is rejected with JD_INVALID_REQUEST and its eventId', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const res = await postEvents(t, [event('EV-9', 'external_works', 'step_started', '2026-11-21T09:00:00+08:00')]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 0, duplicates: 0, parked: 0 });
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ eventId: 'EV-9', code: 'JD_INVALID_REQUEST' });
    expect(body.rejected[0].message).toContain('external_works');
  });

  it('an invalid event in the middle of a batch does not stop the events around it', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const res = await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-20T10:00:00'), // no offset
      { eventId: 'EV-3', applicationNo: APP_NO, stepCode: 'accept', type: 'step_paused', at: '2026-11-20T10:00:00+08:00' },
      'not an event',
      event('EV-5', 'survey', 'step_started', '2026-11-21T09:00:00+08:00'),
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 0, parked: 0 });
    expect(body.rejected).toEqual([
      { eventId: 'EV-2', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[1].at') },
      { eventId: 'EV-3', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[2].type') },
      { eventId: null, code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[3]') },
    ]);
    const view = await staffView(t);
    expect(stepOf(view, 'accept').status).toBe('in_progress');
    expect(stepOf(view, 'survey').status).toBe('in_progress');
  });

  it('an event dated outside the working calendar is rejected on its own instead of failing the batch', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const res = await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '1999-06-02T09:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2099-06-01T09:00:00+08:00'),
      event('EV-4', 'survey', 'step_completed', '9999-12-31T23:00:00-10:00'),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      parked: 0,
      rejected: [
        { eventId: 'EV-2', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[1].at') },
        { eventId: 'EV-3', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[2].at') },
        { eventId: 'EV-4', code: 'JD_INVALID_REQUEST', message: expect.stringContaining('body.events[3].at') },
      ],
    });
    const view = await staffView(t);
    expect(stepOf(view, 'accept').status).toBe('in_progress');
    expect(stepOf(view, 'survey').status).toBe('pending');
  });

  it('an event in the working calendar\'s last year, which could not be planned, is rejected on its own instead of failing the batch', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const res = await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      // within the calendar (to 2035-12-31), but the steps after it would be planned past its end
      event('EV-2', 'survey', 'step_started', '2035-12-20T09:00:00+08:00'),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      parked: 0,
      rejected: [{ eventId: 'EV-2', code: 'JD_INVALID_REQUEST', message: 'body.events[1].at must be between 2020-01-01 and 2034-12-30' }],
    });
    const view = await staffView(t);
    expect(stepOf(view, 'accept').status).toBe('in_progress');
    expect(stepOf(view, 'survey').status).toBe('pending');
    const late = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/sync/applications/YX2026-0002',
      headers: t.sync,
      payload: applicationBody({ acceptedAt: '2035-12-20T09:00:00+08:00' }),
    });
    expectContractError(late, 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(late.json().message).toBe('body.acceptedAt must be between 2020-01-01 and 2034-12-30');
  });

  it('an empty batch and a batch of more than 1000 events are 400 naming body.events, and nothing is stored', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const before = await databaseSnapshot(t);
    const empty = expectContractError(await postEvents(t, []), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(empty.message).toContain('body.events');
    const events = Array.from({ length: 1001 }, (_, i) => event(`EV-${i}`, 'accept', 'step_started', '2026-11-20T09:00:00+08:00'));
    const tooMany = expectContractError(await postEvents(t, events), 400, 'JD_INVALID_REQUEST', 'Bad Request');
    expect(tooMany.message).toContain('body.events');
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it('a batch of exactly 1000 events is accepted', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const events = Array.from({ length: 1000 }, (_, i) => event(`EV-${i}`, 'accept', 'step_started', '2026-11-20T09:00:00+08:00'));
    expect((await postEvents(t, events)).json()).toEqual({ accepted: 1000, duplicates: 0, parked: 0, rejected: [] });
  });

  it('a body over 1 MiB is 413 JD_PAYLOAD_TOO_LARGE and nothing is stored', async () => {
    const t = await buildTestApp();
    await putApplication(t);
    const before = await databaseSnapshot(t);
    const padding = 'x'.repeat(1024 * 1024);
    const res = await postEvents(t, [{ ...event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'), padding }]);
    expectContractError(res, 413, 'JD_PAYLOAD_TOO_LARGE', 'Payload Too Large');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(await databaseSnapshot(t)).toEqual(before);
  });
});

describe('sync API: the plan', () => {
  it('plans hv_single backwards from the requested date on working days only', async () => {
    // Requested 2027-03-01 (Mon, a workday), so connect ends that day; each earlier step ends the workday before
    // the next starts, with the catalog's typical workdays:
    //   connect 2: 02-26 (Fri) … 03-01 (Mon)          contract 1: 02-25
    //   completion_inspection 2: 02-23 … 02-24          mid_inspection 1: 02-22 (Mon)
    //   construction 25: ends 02-19 (Fri); counting back over Feb 19–15 (5), 12–11 (2; 02-08…10 are off),
    //     04–01 (4; 02-05 is 除夕), Jan 29–25 (5), 22–18 (5), 15–12 (4) = 25 → starts 01-12 (Tue)
    //   design_review 2: 01-08 (Fri) … 01-11 (Mon)     plan_reply 4: 01-04 … 01-07
    //   survey 1: 2026-12-31                             accept 1: 2026-12-30 (01-01 is 元旦)
    // Every step starts after today (2026-11-24), so no compression is needed and the plan is feasible.
    const t = await buildTestApp();
    const view = (await putApplication(t)).json().application as ProgressView;
    expect(plannedDates(view)).toEqual({
      accept: ['2026-12-30', '2026-12-30'],
      survey: ['2026-12-31', '2026-12-31'],
      plan_reply: ['2027-01-04', '2027-01-07'],
      design_review: ['2027-01-08', '2027-01-11'],
      construction: ['2027-01-12', '2027-02-19'],
      mid_inspection: ['2027-02-22', '2027-02-22'],
      completion_inspection: ['2027-02-23', '2027-02-24'],
      contract: ['2027-02-25', '2027-02-25'],
      connect: ['2027-02-26', '2027-03-01'],
    });
    expect(view.expectedConnectDate).toBe('2027-03-01');
    expect(view.plan).toMatchObject({ feasible: true, basis: 'requested_date' });
    // no planned date on a weekend or on a 2027 statutory holiday
    const holidays = new Set(['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10']);
    for (const step of view.steps) {
      for (const date of [step.plannedStart!, step.plannedEnd!]) {
        const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
        expect(weekday === 0 || weekday === 6, `${step.code} ${date} is a weekend`).toBe(false);
        expect(holidays.has(date), `${step.code} ${date} is a holiday`).toBe(false);
      }
    }
    // the construction step is customer work: no utility due time
    expect(stepOf(view, 'construction').dueAt).toBeNull();
    expect(stepOf(view, 'connect').dueAt).toBe('2027-03-01T23:59:59+08:00');
  });

  it('a requested date on a holiday plans connection for the last workday before it', async () => {
    // 2027-02-08 (Mon) is 初三; the workdays before it: 02-05 除夕 off, 02-06/07 weekend → 02-04 (Thu)
    const t = await buildTestApp();
    const view = (await putApplication(t, { processCode: 'lv_resident', requestedConnectDate: '2027-02-08' })).json().application as ProgressView;
    expect(view.expectedConnectDate).toBe('2027-02-04');
    // lv_resident: accept 1, survey 1, connect 2 → connect 02-03 … 02-04, survey 02-02, accept 02-01
    expect(plannedDates(view)).toEqual({
      accept: ['2027-02-01', '2027-02-01'],
      survey: ['2027-02-02', '2027-02-02'],
      connect: ['2027-02-03', '2027-02-04'],
    });
  });

  it('a requested date that cannot be met is reported infeasible and the plan runs forward from today', async () => {
    // lv_resident needs 1 + 1 + 2 workdays; even at the floor (1 each) that is 3 workdays from today:
    // 11-24, 11-25, 11-26 → earliest 2026-11-26. Requested 11-25 cannot be met. Forward with typical
    // durations: accept 11-24, survey 11-25, connect 11-26 … 11-27.
    const t = await buildTestApp();
    const view = (await putApplication(t, { processCode: 'lv_resident', requestedConnectDate: '2026-11-25' })).json().application as ProgressView;
    expect(view.plan).toMatchObject({ feasible: false, earliestFeasibleDate: '2026-11-26' });
    expect(view.expectedConnectDate).toBe('2026-11-27');
  });

  it('a requested date too close for typical durations compresses utility steps toward their floors, in proportion', async () => {
    // hv_single from today 2026-11-24 with typical durations ends 2027-01-18 (39 workdays, see the forward plan
    // below). Every utility step at its floor of 1 workday (construction, customer work, stays 25): 33 workdays →
    // earliest 2027-01-08. What each step can give up: plan_reply 4→1: 3, design_review 2→1: 1,
    // completion_inspection 2→1: 1, connect 2→1: 1 (the rest are already 1): 6 in all.
    // Requested 2027-01-11 is 5 workdays short: cuts ⌊5·c/6⌋ = plan_reply 2, others 0; the 3 left go to the largest
    // remainders (5·1 mod 6 = 5 for design_review, completion_inspection, connect; 15 mod 6 = 3 for plan_reply).
    // So plan_reply 2, design_review 1, completion_inspection 1, connect 1; backwards from Mon 01-11:
    //   connect 01-11, contract 01-08, completion 01-07, mid 01-06, construction 25 ending 01-05: Jan 5, 4 (2),
    //   Dec 31–28 (6), 25–21 (11), 18–14 (16), 11–7 (21), 4–1 (25) → 12-01; design 11-30 (Mon); plan_reply
    //   11-26 … 11-27; survey 11-25; accept 11-24 = today.
    const t = await buildTestApp();
    const view = (await putApplication(t, { requestedConnectDate: '2027-01-11' })).json().application as ProgressView;
    expect(view.plan).toMatchObject({ feasible: true, basis: 'requested_date', compressed: true, earliestFeasibleDate: '2027-01-08' });
    expect(view.expectedConnectDate).toBe('2027-01-11');
    expect(plannedDates(view)).toEqual({
      accept: ['2026-11-24', '2026-11-24'],
      survey: ['2026-11-25', '2026-11-25'],
      plan_reply: ['2026-11-26', '2026-11-27'],
      design_review: ['2026-11-30', '2026-11-30'],
      construction: ['2026-12-01', '2027-01-05'],
      mid_inspection: ['2027-01-06', '2027-01-06'],
      completion_inspection: ['2027-01-07', '2027-01-07'],
      contract: ['2027-01-08', '2027-01-08'],
      connect: ['2027-01-11', '2027-01-11'],
    });

    // exactly the earliest date: every utility step at its floor
    const tight = (await putApplication(t, { requestedConnectDate: '2027-01-08' }, 'YX2026-0002')).json().application as ProgressView;
    expect(tight.plan).toMatchObject({ feasible: true, compressed: true });
    expect(tight.steps.filter((s) => s.code !== 'construction').every((s) => s.plannedStart === s.plannedEnd)).toBe(true);
    expect(tight.expectedConnectDate).toBe('2027-01-08');

    // one workday earlier cannot be met: infeasible, planned forward with typical durations (ends 2027-01-18)
    const impossible = (await putApplication(t, { requestedConnectDate: '2027-01-07' }, 'YX2026-0003')).json().application as ProgressView;
    expect(impossible.plan).toMatchObject({ feasible: false, earliestFeasibleDate: '2027-01-08', compressed: false });
    expect(impossible.expectedConnectDate).toBe('2027-01-18');
  });

  it('completing a step re-plans the later steps (forward plan without a requested date)', async () => {
    // No requested date: forward from today 2026-11-24 (Tue) with typical workdays.
    // Before: accept 11-24, survey 11-25, plan_reply 4: 11-26, 27, 30, 12-01, design_review 2: 12-02 … 12-03,
    //   construction 25 from 12-04: Dec 4 (1), 7–11 (6), 14–18 (11), 21–25 (16), 28–31 (20), Jan 4–8 (25) → 01-08,
    //   mid 01-11, completion 01-12 … 01-13, contract 01-14, connect 01-15 … 01-18 (Mon).
    // After accept is done today, the chain starts at survey today: everything moves one workday earlier:
    //   survey 11-24, plan_reply 11-25 … 11-30, design_review 12-01 … 12-02, construction 12-03 … 01-07,
    //   mid 01-08, completion 01-11 … 01-12, contract 01-13, connect 01-14 … 01-15.
    const t = await buildTestApp();
    const before = (await putApplication(t, { requestedConnectDate: null })).json().application as ProgressView;
    expect(before.plan.basis).toBe('typical');
    expect(plannedDates(before)).toMatchObject({
      accept: ['2026-11-24', '2026-11-24'],
      survey: ['2026-11-25', '2026-11-25'],
      plan_reply: ['2026-11-26', '2026-12-01'],
      construction: ['2026-12-04', '2027-01-08'],
      connect: ['2027-01-15', '2027-01-18'],
    });
    expect(before.expectedConnectDate).toBe('2027-01-18');

    t.clock.advance(5 * MINUTE);
    await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-24T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-24T09:30:00+08:00'),
    ]);
    const after = await staffView(t, { requestedConnectDate: null });
    expect(plannedDates(after)).toEqual({
      accept: ['2026-11-24', '2026-11-24'],
      survey: ['2026-11-24', '2026-11-24'],
      plan_reply: ['2026-11-25', '2026-11-30'],
      design_review: ['2026-12-01', '2026-12-02'],
      construction: ['2026-12-03', '2027-01-07'],
      mid_inspection: ['2027-01-08', '2027-01-08'],
      completion_inspection: ['2027-01-11', '2027-01-12'],
      contract: ['2027-01-13', '2027-01-13'],
      connect: ['2027-01-14', '2027-01-15'],
    });
    expect(after.expectedConnectDate).toBe('2027-01-15');
    expect(after.updatedAt).toBe('2026-11-24T10:05:00+08:00');
  });

  it('changing requestedConnectDate re-plans backwards from the new date', async () => {
    // Requested 2027-03-05 (Fri): connect 03-04 … 03-05, contract 03-03, completion 03-01 … 03-02, mid 02-26,
    // construction ends 02-25; back 25 workdays: Feb 25–22 (4), 19–15 (9), 12–11 (11; 02-05, 08…10 off),
    // 04–01 (15), Jan 29–25 (20), 22–18 (25) → starts 01-18; design_review 01-14 … 01-15;
    // plan_reply 4: 01-08, 11, 12, 13 → 01-08 … 01-13; survey 01-07; accept 01-06.
    const t = await buildTestApp();
    await putApplication(t);
    t.clock.advance(10 * MINUTE);
    const res = await putApplication(t, { requestedConnectDate: '2027-03-05' });
    expect(res.statusCode).toBe(200);
    const view = res.json().application as ProgressView;
    expect(view.requestedConnectDate).toBe('2027-03-05');
    expect(view.expectedConnectDate).toBe('2027-03-05');
    expect(plannedDates(view)).toEqual({
      accept: ['2027-01-06', '2027-01-06'],
      survey: ['2027-01-07', '2027-01-07'],
      plan_reply: ['2027-01-08', '2027-01-13'],
      design_review: ['2027-01-14', '2027-01-15'],
      construction: ['2027-01-18', '2027-02-25'],
      mid_inspection: ['2027-02-26', '2027-02-26'],
      completion_inspection: ['2027-03-01', '2027-03-02'],
      contract: ['2027-03-03', '2027-03-03'],
      connect: ['2027-03-04', '2027-03-05'],
    });
    expect(view.updatedAt).toBe('2026-11-24T10:10:00+08:00');
  });

  it('a running step keeps its actual start and is due no later than its limit', async () => {
    // hv_single, no requested date. survey (limit 2, typical 1) started Mon 2026-11-23 09:00.
    // Planned end: not before today (11-24) nor before start + typical − 1 (11-23) → 11-24.
    // Due: end of the earlier of the planned end (11-24) and start + limit − 1 workdays (11-24) → 11-24 23:59:59.
    const t = await buildTestApp();
    await putApplication(t, { requestedConnectDate: null });
    await postEvents(t, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2026-11-23T09:00:00+08:00'),
    ]);
    const view = await staffView(t, { requestedConnectDate: null });
    expect(view.currentStep).toMatchObject({
      code: 'survey',
      plannedStart: '2026-11-23',
      plannedEnd: '2026-11-24',
      dueAt: '2026-11-24T23:59:59+08:00',
      overdue: false,
    });
    expect(view.nextStep).toMatchObject({ code: 'plan_reply', plannedStart: '2026-11-25', plannedEnd: '2026-11-30' });
  });
});

describe('sync API: request ids', () => {
  it('every response carries x-request-id, and a client\'s own id is echoed', async () => {
    const t = await buildTestApp();
    const responses = [
      await putHandler(t),
      await putApplication(t),
      await putApplication(t, { status: 'nope' }),
      await postEvents(t, [event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00')]),
      await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', payload: { events: [] } }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 201, 400, 200, 401]);
    const ids = responses.map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);

    const echoed = await t.app.inject({ method: 'PUT', url: `/api/v1/sync/applications/${APP_NO}`, headers: { ...t.sync, 'x-request-id': 'mkt-7f3a-0001' }, payload: applicationBody() });
    expect(echoed.headers['x-request-id']).toBe('mkt-7f3a-0001');
    const echoedError = await t.app.inject({ method: 'PUT', url: `/api/v1/sync/applications/${APP_NO}`, headers: { 'x-request-id': 'mkt-7f3a-0002' }, payload: applicationBody() });
    expect(echoedError.statusCode).toBe(401);
    expect(echoedError.headers['x-request-id']).toBe('mkt-7f3a-0002');
  });
});

describe('sync API: durability', () => {
  it('accepted data survives a restart on the same database', async () => {
    const database = await sharedTestDatabase();
    const first = await database.build({ deps: { startDispatcher: false } });
    await putHandler(first);
    expect((await putApplication(first)).statusCode).toBe(201);
    await postEvents(first, [
      event('EV-1', 'accept', 'step_started', '2026-11-20T09:00:00+08:00'),
      event('EV-2', 'accept', 'step_completed', '2026-11-20T10:00:00+08:00'),
      event('EV-3', 'survey', 'step_started', '2026-11-23T09:00:00+08:00'),
      event('EV-4', 'survey', 'step_started', '2026-11-23T09:00:00+08:00', { applicationNo: 'YX2026-0002' }),
    ]);
    const beforeRestart = await staffView(first);
    await database.stop(first);

    const second = await database.build({ now: DEFAULT_NOW + 5 * MINUTE, deps: { startDispatcher: false } });
    // the identical body is recognised: the application exists and nothing changes
    const again = await putApplication(second);
    expect(again.statusCode).toBe(200);
    expect(again.json().application).toEqual(beforeRestart);
    expect(stepOf(beforeRestart, 'survey')).toMatchObject({ status: 'in_progress', handler: { name: '李明', phone: '13912345678' } });
    // event ids are remembered
    const resent = await postEvents(second, [event('EV-3', 'survey', 'step_started', '2026-11-23T09:00:00+08:00')]);
    expect(resent.json()).toEqual({ accepted: 0, duplicates: 1, parked: 0, rejected: [] });
    // the parked event is still waiting for its application
    const parkedApp = await putApplication(second, { accountNo: '5300999999' }, 'YX2026-0002');
    expect(parkedApp.statusCode).toBe(201);
    expect(stepOf(parkedApp.json().application as ProgressView, 'survey').status).toBe('in_progress');
  });
});
