// E-mail through a real SMTP server in the test (smtp-server), parsed as a mail client would (mailparser).
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { buildNoticeApp, completed, eventually, fakeTwilioForTest, postEvents, putApplication, putHandler, staffHeaders, started } from '../support/notices.ts';
import { MAIL_FROM, smtpSinkForTest, type ReceivedMail } from '../support/smtp-sink.ts';
import { startFakeWecom, type FakeWecom } from '../support/fake-wecom.ts';
import { staffOf, e164 } from '../support/live.ts';
import { inDesignReview, syncStaff } from '../support/sla.ts';

const at = (iso: string) => Date.parse(iso);
const CUSTOMER_EMAIL = 'zhang.san@example.cn';

const header = (mail: ReceivedMail, name: string) =>
  mail.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');
const subjects = (mails: ReceivedMail[]) => mails.map((m) => m.parsed.subject);

/** A customer who gave an e-mail, whose application has been accepted (step_started) on 11-24. */
async function customerScenario() {
  const fake = await fakeTwilioForTest();
  const sink = await smtpSinkForTest();
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T10:00:00+08:00'), env: sink.env() });
  await putHandler(t, 'H001');
  await putApplication(t, 'YX2026-0001', { email: CUSTOMER_EMAIL });
  await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-24T09:30:00+08:00')]);
  await t.app.notices.dispatcher.idle();
  await eventually(() => sink.mails.length === 2, 'the plan and step e-mails');
  return { fake, sink, t };
}

function unsubscribePath(mail: ReceivedMail): string {
  const link = /退订邮件通知：(\S+)/.exec(mail.parsed.text ?? '')?.[1];
  if (!link) throw new Error('no unsubscribe link in the e-mail');
  const url = new URL(link);
  return url.pathname + url.search;
}

describe('e-mail to customers', () => {
  it('a step notice arrives as an HTML e-mail with a plain-text part and an unsubscribe link', async () => {
    const { sink, t } = await customerScenario();
    expect(subjects(sink.mails)).toEqual(['您的用电申请（YX2026-0001）预计2027年3月1日（周一）接电', '您的用电申请（YX2026-0001）已进入“业务受理”环节']);
    const mail = sink.mails[1]!;
    expect(mail.rcptTo).toEqual([CUSTOMER_EMAIL]);
    expect(mail.parsed.from?.text).toBe('"接电助手" <noreply@jiedian.example.cn>');
    expect(MAIL_FROM).toContain('noreply@jiedian.example.cn');
    expect(mail.parsed.text).toContain('玉*********，您好！');
    expect(mail.parsed.text).toContain('当前环节：业务受理，预计11月24日（周二）前完成');
    expect(mail.parsed.text).toContain('请您配合：\n1. 用电申请书\n2. 身份证明（居民身份证或营业执照）');
    expect(mail.parsed.html).toContain('<td><strong>业务受理</strong>，预计11月24日（周二）前完成</td>');
    expect(mail.parsed.html).toContain('<li>用电申请书</li>');

    const [row] = (await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.channel === 'email' && r.noticeKind === 'step_started');
    expect(row).toMatchObject({ address: CUSTOMER_EMAIL, provider: 'smtp', status: 'sent' });
    expect(header(mail, 'Message-ID')).toBe(`<${row!.id}@jiedian.example.cn>`);
    const link = `https://jiedian.example.cn${unsubscribePath(mail)}`;
    expect(header(mail, 'List-Unsubscribe')).toBe(`<${link}>`);
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.parsed.html).toContain(`<a href="${link.replaceAll('=', '&#x3D;')}">退订邮件通知</a>`);
  });

  it('the unsubscribe link asks to confirm, then stops e-mail (not SMS) to that address; a forged link changes nothing', async () => {
    const { fake, sink, t } = await customerScenario();
    const path = unsubscribePath(sink.mails[1]!);

    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('z***@example.cn');
    expect(page.body).toContain('确认退订');
    // looking is not unsubscribing
    expect(await t.app.stores.outbox.isOptedOut('email', CUSTOMER_EMAIL)).toBe(false);

    const forged = path.slice(0, -2) + (path.endsWith('AA') ? 'BB' : 'AA');
    for (const method of ['GET', 'POST'] as const) {
      const refused = await t.app.inject({ method, url: forged });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ statusCode: 401, code: 'JD_UNAUTHORIZED' });
    }
    expect(await t.app.stores.outbox.isOptedOut('email', CUSTOMER_EMAIL)).toBe(false);

    // a mail client's one-click unsubscribe (RFC 8058) posts to the same link
    const done = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('已退订');
    expect(await t.app.stores.outbox.isOptedOut('email', CUSTOMER_EMAIL)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: path })).body).toContain('已退订邮件通知');

    const smsBefore = fake.requests.filter((r) => r.to === e164('13800001111')).length;
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    await postEvents(t, [completed('YX2026-0001', 'accept', '2026-11-24T10:30:00+08:00'), started('YX2026-0001', 'survey', '2026-11-24T10:45:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    await eventually(() => fake.requests.filter((r) => r.to === e164('13800001111')).length > smsBefore, 'the survey SMS');
    expect(sink.mails).toHaveLength(2);
    expect((await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.channel === 'email' && r.noticeKind === 'step_started')).toHaveLength(1);
  });

  it('an application synced without an e-mail gets no e-mail, and a malformed address is refused', async () => {
    const fake = await fakeTwilioForTest();
    const sink = await smtpSinkForTest();
    const t = await buildNoticeApp(fake, { now: at('2026-11-24T10:00:00+08:00'), env: sink.env() });
    await putHandler(t, 'H001');
    const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/sync/applications/YX2026-0001', headers: t.sync, payload: { ...(await import('../support/app.ts')).applicationBody(), email: 'zhang at example' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('JD_INVALID_REQUEST');
    expect((await t.app.stores.applications.application('YX2026-0001'))).toBeUndefined();
    await putApplication(t, 'YX2026-0001');
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-24T09:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect((await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.channel === 'email')).toEqual([]);
  });

  it('an address the SMTP server refuses for good (550) fails the row; a 451 is tried again', async () => {
    const { sink, t } = await customerScenario();
    sink.refuseNext(1, 451);
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    await postEvents(t, [completed('YX2026-0001', 'accept', '2026-11-24T10:30:00+08:00'), started('YX2026-0001', 'survey', '2026-11-24T10:45:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const survey = async () => (await t.app.stores.outbox.ofApplication('YX2026-0001')).find((r) => r.channel === 'email' && r.noticeKind === 'step_started' && r.text.includes('现场勘查'))!;
    expect(await survey()).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await survey()).lastError).toContain('451');
    t.clock.set((await survey()).nextAttemptAt);
    t.app.notices.dispatcher.wake();
    await eventually(async () => (await survey()).status === 'sent', 'the retried e-mail');
    expect(sink.mails.filter((m) => m.parsed.subject?.includes('现场勘查'))).toHaveLength(1);

    sink.refuseNext(1, 550);
    await postEvents(t, [completed('YX2026-0001', 'survey', '2026-11-24T11:30:00+08:00'), started('YX2026-0001', 'plan_reply', '2026-11-24T11:40:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const failed = (await t.app.stores.outbox.ofApplication('YX2026-0001')).filter((r) => r.channel === 'email' && r.status === 'failed');
    expect(failed.map((r) => r.lastError)).toEqual([expect.stringContaining('550')]);
  });
});

describe('e-mail and WeCom to team leads', () => {
  let wecom: FakeWecom | null = null;
  afterEach(async () => {
    await wecom?.close();
    wecom = null;
  });

  async function teamScenario(): Promise<{ t: TestApp; sink: Awaited<ReturnType<typeof smtpSinkForTest>>; wecom: FakeWecom }> {
    const sink = await smtpSinkForTest();
    wecom = await startFakeWecom({ members: ['liming', 'zhangqiang'] });
    const t = await buildTestApp({ now: at('2026-11-24T09:00:00+08:00'), env: { ...sink.env(), ...wecom.env() }, deps: { startSweeper: false } });
    await syncStaff(t);
    await putHandler(t, 'H001', { ...staffOf.H001, wecomUserId: 'liming' });
    await putHandler(t, 'L001', { ...staffOf.L001, wecomUserId: 'zhangqiang', email: 'zhangqiang@example.cn' });
    await inDesignReview(t, 'A2', '2026-11-24T09:30:00+08:00', 'H001', '2026-11-20');
    return { t, sink, wecom };
  }

  it('an overdue alert reaches the handler and the team lead in WeCom; a warning does not', async () => {
    const { t, wecom } = await teamScenario();
    t.clock.set(at('2026-11-26T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, overdue: 0 });
    await t.app.notices.dispatcher.idle();
    expect(wecom.delivered).toEqual([]);
    t.clock.set(at('2026-11-27T09:00:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 1 });
    await eventually(() => wecom.delivered.length === 2, 'the overdue alerts in WeCom');
    expect(wecom.delivered.map((d) => d.touser).sort()).toEqual(['liming', 'zhangqiang']);
    expect(wecom.delivered[0]!.content).toContain('A2');
    expect(wecom.delivered[0]!.content).toContain('设计文件审核');
  });

  it('the weekly digest reaches the team lead as an HTML e-mail with the week\'s timeliness CSV, and in WeCom', async () => {
    const { t, sink, wecom } = await teamScenario();
    t.clock.set(at('2026-11-27T09:00:00+08:00'));
    await t.app.timeLimits.sla.sweep();
    await postEvents(t, [completed('A2', 'design_review', '2026-11-27T10:00:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const before = wecom.delivered.length;

    t.clock.set(at('2026-11-30T08:30:00+08:00'));
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(2);
    await t.app.notices.dispatcher.idle();
    await eventually(() => sink.mails.length === 1, 'the digest e-mail');
    const [mail] = sink.mails;
    expect(mail!.rcptTo).toEqual(['zhangqiang@example.cn']);
    expect(mail!.parsed.subject).toBe('【业扩一班周报】11月23日（周一）至11月29日（周日）：超期1项，未关闭预警1条');
    expect(mail!.parsed.html).toContain('<h2 style="font-size:18px">业扩一班周报（11月23日（周一）至11月29日（周日））</h2>');
    expect(mail!.parsed.html).toContain('<td style="padding:4px 12px 4px 0">A2</td>');
    expect(mail!.parsed.text).toContain('本周超期：1项');
    expect(header(mail!, 'List-Unsubscribe')).toBeUndefined();

    expect(mail!.parsed.attachments).toHaveLength(1);
    const [csv] = mail!.parsed.attachments;
    expect(csv!.filename).toBe('timeliness-T01-2026-11-23-2026-11-29.csv');
    expect(csv!.contentType).toBe('text/csv');
    // the same file a team lead downloads from the statistics for that week, by handler
    const download = await t.app.inject({
      method: 'GET',
      url: '/api/v1/stats/timeliness?from=2026-11-23&to=2026-11-29&groupBy=handler&format=csv',
      headers: await staffHeaders(t, 'L001'),
    });
    expect(csv!.content.toString('utf8')).toBe(download.body);
    expect(download.body.split('\r\n')[1]).toMatch(/^H001,李明,1,1,0,0,1,0,0,/);

    await eventually(() => wecom.delivered.length === before + 1, 'the digest in WeCom');
    expect(wecom.delivered.at(-1)).toMatchObject({ touser: 'zhangqiang' });
    expect(wecom.delivered.at(-1)!.content).toMatch(/^【业扩一班周报】/);
  });
});
