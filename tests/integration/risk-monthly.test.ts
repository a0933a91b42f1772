// The monthly exposure report (曝光台) over three simulated months with an injected clock, and the risk statistics.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';
import { api, customerA, customerB, grantAdmin, hurryScenario, listen, signIn } from '../support/live.ts';
import type { TestApp } from '../support/app.ts';

const at = (iso: string) => Date.parse(iso);

/** The shipped rules with a tighter monthly bound: any urgent item in a month breaches it. */
function strictRules(): string {
  const rules = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../catalog/risk-rules.json'), 'utf8'));
  rules.monthly.maxUrgentItems = 0;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-risk-')), 'risk-rules.json');
  fs.writeFileSync(file, JSON.stringify(rules));
  return file;
}

async function setUp() {
  const fake = await fakeTwilioForTest();
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), env: { RISK_RULES_PATH: strictRules() }, deps: { startSweeper: false } });
  await hurryScenario(t);
  await grantAdmin(t, 'H002');
  return { fake, t, base: await listen(t) };
}

const complain = (t: TestApp, applicationNo: string) => t.app.risks.items.record({ applicationNo, kind: 'complaint', source: 'wechat', detail: '我要投诉' });
/** the monthly reports queued, oldest first (no port lists notices that belong to no application) */
const reports = async (t: TestApp) =>
  (await t.sql("SELECT recipient_ref AS who, text FROM outbox WHERE notice_kind = 'monthly_report' ORDER BY created_at, recipient_ref")) as { who: string; text: string }[];
const tiers = async (t: TestApp, month: string) => (await t.app.stores.risks.exposureRows(month)).map((r) => `${r.teamId} ${r.tier ?? '-'}`).sort();

describe('the monthly exposure report', () => {
  it('names a team over the bound, interviews it the second month in a row, calls an on-site meeting the third; a month within bounds starts over', async () => {
    const { t, base } = await setUp();
    const sweep = () => t.app.timeLimits.sweeper.sweep();

    // December: both teams have an urgent item
    t.clock.set(at('2026-12-10T10:00:00+08:00'));
    await complain(t, customerA.applicationNo);
    await complain(t, customerB.applicationNo);
    t.clock.set(at('2027-01-01T08:59:00+08:00'));
    await sweep();
    expect(await reports(t)).toEqual([]);
    t.clock.set(at('2027-01-01T09:00:00+08:00'));
    await sweep();
    await sweep();
    expect(await tiers(t, '2026-12')).toEqual(['T01 named', 'T02 named']);
    // each team lead and the admin, once
    expect((await reports(t)).map((r) => r.who)).toEqual(['H002', 'L001', 'L101']);
    expect((await reports(t))[0]!.text).toContain('2026-12月度曝光台');
    expect((await reports(t))[0]!.text).toContain('业扩一班点名预警');

    // January: items handled with notes; only team T01 has an urgent item again
    const lead = await signIn(t, base, 'L001');
    const leadB = await signIn(t, base, 'L101');
    const noteA = '张强1月5日上门回访，约定1月20日前完成设计审核。';
    expect((await api(base, 'POST', `/api/v1/staff/risks/${(await t.app.risks.items.ofApplication(customerA.applicationNo))!.id}/close`, { token: lead.token, body: { note: noteA } })).status).toBe(200);
    expect((await api(base, 'POST', `/api/v1/staff/risks/${(await t.app.risks.items.ofApplication(customerB.applicationNo))!.id}/close`, { token: leadB.token, body: { note: '钱伟电话回访，客户认可。' } })).status).toBe(200);
    t.clock.set(at('2027-01-15T10:00:00+08:00'));
    await complain(t, customerA.applicationNo);
    t.clock.set(at('2027-02-01T09:00:00+08:00'));
    await sweep();
    expect(await tiers(t, '2027-01')).toEqual(['T01 interview', 'T02 -']);
    const january = (await reports(t)).filter((r) => r.text.includes('2027-01'));
    expect(january).toHaveLength(3);
    expect(january[0]!.text).toContain('业扩一班约谈整改');
    expect(january[0]!.text).not.toContain('业扩二班');

    // February: both again
    t.clock.set(at('2027-02-10T10:00:00+08:00'));
    await complain(t, customerA.applicationNo);
    await complain(t, customerB.applicationNo);
    t.clock.set(at('2027-03-01T09:30:00+08:00'));
    await sweep();
    expect(await tiers(t, '2027-02')).toEqual(['T01 on_site_meeting', 'T02 named']);

    // the report as the staff pages read it: tiers and the worst cases with their handling notes
    const admin = await signIn(t, base, 'H002');
    const december = await api(base, 'GET', '/api/v1/stats/exposure?month=2026-12', { token: admin.token });
    expect(december.status).toBe(200);
    expect(december.body.teams.map((r: { teamName: string; tierName: string }) => `${r.teamName} ${r.tierName}`)).toEqual(['业扩一班 点名预警', '业扩二班 点名预警']);
    expect(december.body.worstCases.map((c: { applicationNo: string; note: string }) => c.applicationNo).sort()).toEqual([customerA.applicationNo, customerB.applicationNo]);
    const february = await api(base, 'GET', '/api/v1/stats/exposure?month=2027-02', { token: admin.token });
    expect(february.body.teams.find((r: { teamId: string }) => r.teamId === 'T01').tierName).toBe('现场办公会');
    const wechatText = (await reports(t)).find((r) => r.text.includes('2027-02'))!.text;
    expect(wechatText).toContain('业扩一班现场办公会');
    // a handler is not shown the exposure report; a malformed month is a 400
    const handler = await signIn(t, base, 'H001');
    expect((await api(base, 'GET', '/api/v1/stats/exposure?month=2027-02', { token: handler.token })).status).toBe(403);
    expect((await api(base, 'GET', '/api/v1/stats/exposure?month=2027-13', { token: admin.token })).status).toBe(400);
    // the worst cases carry the handling notes of closed items
    const cases = (await api(base, 'GET', '/api/v1/stats/exposure?month=2026-12', { token: admin.token })).body.worstCases as { applicationNo: string; note: string | null }[];
    expect(cases.find((c) => c.applicationNo === customerB.applicationNo)!.note).toBe('钱伟电话回访，客户认可。');
  });
});

describe('the risk statistics', () => {
  it('count items by tier and signal, time to close, satisfaction and repeat contacts per team, as JSON and CSV', async () => {
    const { t, base } = await setUp();
    const risks = t.app.risks.items;
    // team T01: two hurries (a repeat; ten minutes apart, as two presses within 5 minutes are one) and a third
    // contact → one 预警 item, closed 3 hours later
    t.clock.set(at('2026-11-24T09:50:00+08:00'));
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'hurry', source: 'kiosk' });
    t.clock.set(at('2026-11-24T10:00:00+08:00'));
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'hurry', source: 'kiosk' });
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'progress_question', source: 'sms' });
    const lead = await signIn(t, base, 'L001');
    t.clock.set(at('2026-11-24T13:00:00+08:00'));
    await api(base, 'POST', `/api/v1/staff/risks/${(await risks.ofApplication(customerA.applicationNo))!.id}/close`, { token: lead.token, body: { note: '已回电' } });
    // team T02: a complaint → urgent
    await risks.record({ applicationNo: customerB.applicationNo, kind: 'complaint', source: 'wechat' });

    const admin = await signIn(t, base, 'H002');
    const json = await api(base, 'GET', '/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=team', { token: admin.token });
    expect(json.status).toBe(200);
    expect(json.body.rows).toEqual([
      expect.objectContaining({ key: 'T01', name: '业扩一班', items: 1, warning: 1, urgent: 0, closed: 1, medianHoursToClose: 3, contacts: 3, repeatContacts: 2, repeatContactRate: 0.6667 }),
      expect.objectContaining({ key: 'T02', name: '业扩二班', items: 1, urgent: 1, closed: 0, medianHoursToClose: null, contacts: 1, repeatContacts: 0 }),
    ]);
    expect(json.body.rows[0].bySignal).toMatchObject({ repeat_hurry: 1, repeat_contact: 1 });
    expect(json.body.rows[1].bySignal).toMatchObject({ complaint_language: 1 });
    // a team lead sees their own team only
    const own = await api(base, 'GET', '/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=team', { token: lead.token });
    expect(own.body.rows.map((r: { key: string }) => r.key)).toEqual(['T01']);
    const byHandler = await api(base, 'GET', '/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=handler', { token: admin.token });
    expect(byHandler.body.rows.map((r: { key: string; name: string }) => `${r.key} ${r.name}`)).toEqual(['H001 李明', 'H101 赵丽']);

    const csv = await fetch(`${base}/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=team&format=csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.startsWith('\uFEFF编号,名称,风险工单,关注,预警,紧急,')).toBe(true);
    expect(text.split('\r\n')[1]).toMatch(/^T01,业扩一班,1,0,1,0,/);

    for (const query of ['from=2026-11-30&to=2026-11-01&groupBy=team', 'from=2026-11-01&to=2026-11-30&groupBy=step', 'from=nope&to=2026-11-30&groupBy=team']) {
      const bad = await api(base, 'GET', `/api/v1/stats/risk?${query}`, { token: admin.token });
      expect(bad.status, query).toBe(400);
      expect(bad.body.code).toBe('JD_INVALID_REQUEST');
    }
  });
});
