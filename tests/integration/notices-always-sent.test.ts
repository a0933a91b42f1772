// Issue 12 item 4: a notice is always sent within budget — long names and numbers are shortened by rule — and one that
// still cannot be rendered is an operator-visible failure (a metric, a failed row admins list), never a silent drop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, eventually, fakeTwilioForTest, outboxOf, postEvents, putApplication, putHandler, staffHeaders, started } from '../support/notices.ts';
import { api, customerA, e164, hurry, listen, staffOf, viewToken } from '../support/live.ts';

const no = customerA.applicationNo;
const at = '2026-11-24T09:00:00+08:00';

describe('notices with very long names and numbers', () => {
  it("sends the customer's step notice when the handler's name is 100 characters long", async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t, 'H001', { name: '李'.repeat(100) });
    await putApplication(t, no);
    await postEvents(t, [started(no, 'accept', at)]);
    await t.app.notices.dispatcher.idle();

    const stepTexts = fake.requests.filter((r) => r.body?.includes('已进入“业务受理”环节'));
    expect(stepTexts).toHaveLength(1);
    expect(stepTexts[0]!.body).toContain(`办理人李${'*'.repeat(11)}，电话13912345678`);
    expect((await outboxOf(t, no)).every((r) => r.status === 'sent')).toBe(true);
  });

  it("sends the handler's hurry text when the customer's name is 100 emoji", async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
    await putApplication(t, no, { customerName: '😀'.repeat(100) });
    await postEvents(t, [started(no, 'accept', at)]);
    const base = await listen(t);

    const pressed = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), no, '请尽快');
    expect(pressed.status).toBe(202);
    await t.app.notices.dispatcher.idle();

    await eventually(() => fake.requests.some((r) => r.to === e164(staffOf.H001.phone)), "the handler's hurry text");
    const handlerText = fake.requests.find((r) => r.to === e164(staffOf.H001.phone))!;
    expect(handlerText.body).toContain(`（${'😀'.repeat(11)}…）`);
    expect(handlerText.body).toContain('客户留言：“请尽快”');
  });

  it("sends every team lead's hurry text when the application number is 64 characters long", async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
    const longNo = 'YX' + '2026'.repeat(15) + '07';
    // with the customer's 100-character name, the text had nothing it could shorten and was dropped
    await putApplication(t, longNo, { customerName: '玉'.repeat(100) });
    // nobody has handled it and it has no account manager: the hurry goes to every team lead
    await postEvents(t, [{ ...started(longNo, 'accept', at), handlerId: undefined }]);
    const base = await listen(t);

    const pressed = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), longNo);
    expect(pressed.status).toBe(202);
    await t.app.notices.dispatcher.idle();

    const leads = [e164(staffOf.L001.phone), e164(staffOf.L101.phone)];
    await eventually(() => leads.every((to) => fake.requests.some((r) => r.to === to)), "both team leads' texts");
    for (const to of leads) expect(fake.requests.find((r) => r.to === to)!.body).toContain(`催办提醒：…${longNo.slice(-15)}（${'玉'.repeat(11)}…）`);
  });
});

describe('a notice that cannot be rendered', () => {
  it('is kept as a failed row, counted in /metrics and listed for admins, while the event is applied', async () => {
    // a catalog whose step name alone is longer than three SMS segments: no rule may shorten a catalog name
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-catalog-'));
    const catalog = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../catalog/processes.json'), 'utf8'));
    catalog.steps.accept.name = '受'.repeat(220);
    fs.writeFileSync(path.join(dir, 'processes.json'), JSON.stringify(catalog));
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { env: { CATALOG_PATH: path.join(dir, 'processes.json') } });
    await putHandler(t, 'H001');
    await putHandler(t, 'A001', { name: '管理员', role: 'team_lead' });
    // the marketing system syncs no admins: made one the way an operator would, in the database
    await t.sql('UPDATE handlers SET role = ? WHERE id = ?', 'admin', 'A001');
    await putApplication(t, no);
    await postEvents(t, [started(no, 'accept', at)]);
    await t.app.notices.dispatcher.idle();

    const step = (await outboxOf(t, no)).filter((r) => r.noticeKind === 'step_started');
    expect(step).toHaveLength(1);
    expect(step[0]).toMatchObject({ status: 'failed', channel: 'sms', text: '' });
    expect(step[0]!.lastError).toMatch(/^not rendered: sms\/step-started\.hv_single\.hbs: renders to \d SMS segments/);
    expect(fake.requests.some((r) => r.body?.includes('已进入'))).toBe(false);
    expect((await t.app.stores.applications.step(no, 'accept'))).toMatchObject({ status: 'in_progress' });

    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('jiedian_notices_unrendered_total{kind="step_started",channel="sms"} 1');

    const admin = await t.app.inject({ method: 'GET', url: '/api/v1/staff/notifications/failed', headers: await staffHeaders(t, 'A001') });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().notifications).toMatchObject([{ id: step[0]!.id, applicationNo: no, kind: 'step_started', status: 'failed' }]);
    const handler = await t.app.inject({ method: 'GET', url: '/api/v1/staff/notifications/failed', headers: await staffHeaders(t, 'H001') });
    expect(handler.statusCode).toBe(403);
    expect(handler.json()).toMatchObject({ code: 'JD_FORBIDDEN' });
  });
});

describe('names and free text at the sync boundary', () => {
  const put = (t: Awaited<ReturnType<typeof buildNoticeApp>>, url: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url, headers: t.sync, payload });

  it('refuses a NUL or a lone surrogate with a 400 naming the field, and stores nothing', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    const { applicationBody, handlerBody } = await import('../support/app.ts');

    const nul = await put(t, `/api/v1/sync/applications/${no}`, applicationBody({ customerName: '玉溪\u0000食品' }));
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({ code: 'JD_INVALID_REQUEST', message: 'body.customerName must not contain a NUL character' });
    expect((await t.app.stores.applications.application(no))).toBeUndefined();

    // JSON can carry a lone surrogate as an escape
    const lone = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/sync/handlers/H001',
      headers: { ...t.sync, 'content-type': 'application/json' },
      payload: JSON.stringify(handlerBody()).replace('李明', '李\\ud83d明'),
    });
    expect(lone.statusCode).toBe(400);
    expect(lone.json()).toMatchObject({ code: 'JD_INVALID_REQUEST', message: 'body.name must be well-formed Unicode (it has a lone surrogate)' });
    expect((await t.app.stores.applications.handler('H001'))).toBeUndefined();
  });

  it('strips bidi overrides and turns other control characters into spaces before storing and texting', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t, 'H001', { name: '\u202E李明\u202C', teamName: '业扩\t一班' });
    await putApplication(t, no, { customerName: '玉溪\u0007某某\r\n食品\u2066公司\u2069', address: '红塔区\u202E玉兴路\n18 号' });

    expect((await t.app.stores.applications.handler('H001'))).toMatchObject({ name: '李明' });
    expect((await t.app.stores.applications.application(no))).toMatchObject({ customerName: '玉溪 某某 食品公司', address: '红塔区玉兴路\n18 号' });
    await postEvents(t, [started(no, 'accept', at)]);
    await t.app.notices.dispatcher.idle();
    const text = fake.requests.find((r) => r.body?.includes('已进入'))!.body!;
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
});
