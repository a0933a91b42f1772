// Complaint-risk items in the team lead's live queue in a real browser (Debian's chromium): a repeated hurry raises a
// 预警 item live, a complaint a 紧急 one placed before it, closing asks for a handling note, and the application page
// shows the item with each signal and its source.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { completed, postEvents, putApplication, started } from '../support/notices.ts';
import { api, customerA, signIn, viewToken } from '../support/live.ts';
import { landscape, newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';
import { signInOnStaffPage, startApp, tightApplication, type E2eApp } from './support/scenario.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await openBrowser();
  ({ page, problems } = await newPage(browser));
  await page.setViewportSize(landscape);
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  // leave the page before the next test's server starts, and start it on a clean slate
  await page.goto('about:blank');
  await page.setViewportSize(landscape);
  problems.length = 0;
});

async function press(e: E2eApp) {
  const token = await viewToken(e.base, customerA.accountNo, customerA.queryCode);
  return api(e.base, 'POST', `/api/v1/applications/${customerA.applicationNo}/hurry`, { token, body: { message: '请尽快审核' }, headers: { 'x-jiedian-channel': 'kiosk' } });
}

describe('risk items on the staff pages', () => {
  it('appear live in the team lead\'s queue sorted by tier, say why, close only with a handling note, and show on the application page', async () => {
    const e = await startApp();
    await signInOnStaffPage(page, e, 'L001');
    const risks = page.locator('.queue-list[data-kind="risk"]');
    expect(await risks.locator('.item').count()).toBe(0);

    expect((await press(e)).status).toBe(202);
    // pressed again later (within 5 minutes it would be one press, a double click)
    e.t.clock.set(e.t.clock.now() + 10 * 60_000);
    expect((await press(e)).status).toBe(429);
    const warning = risks.locator('.item[data-tier="warning"]');
    await warning.waitFor({ timeout: 3000 });
    expect(await warning.locator('.item-title').innerText()).toContain('预警');
    expect(await warning.locator('.risk-signals').innerText()).toContain('同一环节再次催办');
    expect(await warning.locator('.risk-signals').innerText()).toContain('自助终端');
    expect(await page.locator('#queue-risk-title .queue-count').innerText()).toBe('1');

    // a complaint on another application of the team: urgent, placed before the warning
    await e.t.app.risks.items.record({ applicationNo: tightApplication, kind: 'complaint', source: 'wechat', detail: '再不处理我就打12398投诉' });
    await risks.locator('.item[data-tier="urgent"]').waitFor({ timeout: 3000 });
    expect(await risks.locator('.item').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.tier))).toEqual(['urgent', 'warning']);
    expect(await risks.locator('.item').first().innerText()).toContain('再不处理我就打12398投诉');
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'staff-queue-risk-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-queue-risk-portrait');
    await page.setViewportSize(landscape);

    // closing without a note is refused in words; with one the item shows as closed with the note
    const urgent = risks.locator('.item[data-tier="urgent"]');
    await urgent.getByRole('button', { name: '关闭风险' }).click();
    await expect.poll(() => urgent.locator('.form-message').innerText()).toContain('请先填写处理说明');
    expect((await e.t.app.risks.items.ofApplication(tightApplication))!.status).toBe('open');
    await urgent.getByLabel('处理说明（回访情况）').fill('张强电话联系客户，约定明天上午现场勘查。');
    await urgent.getByRole('button', { name: '关闭风险' }).click();
    await expect.poll(() => risks.locator('.item[data-status="closed"]').count()).toBe(1);
    expect(await risks.locator('.item[data-status="closed"]').innerText()).toContain('张强电话联系客户');
    expect(await e.t.app.risks.items.ofApplication(tightApplication)).toMatchObject({ status: 'closed', closedBy: 'L001' });
    expect(await page.locator('#queue-risk-title .queue-count').innerText()).toBe('1');

    // the application page: the item with its signals and sources
    await warning.getByRole('button', { name: `查看申请 ${customerA.applicationNo}` }).click();
    const block = page.locator('#detail-risk');
    await block.waitFor();
    expect(await block.innerText()).toContain('预警');
    expect(await block.innerText()).toContain('自助终端');
    expect(await page.locator('#detail-rating').innerText()).toContain('尚未接电');
    await screenshot(page, 'staff-detail-risk-landscape');
  });

  it('show the risk statistics per handler as a table and two charts, and download the same rows as CSV', async () => {
    const e = await startApp();
    // 李明 (H001): a repeated hurry, 预警. 王芳 (H002): a complaint, 紧急, closed with a note; a switched-on application rated 5.
    const complaint = await e.t.app.risks.items.record({ applicationNo: tightApplication, kind: 'complaint', source: 'wechat', detail: '再不处理我就打12398投诉' });
    expect((await press(e)).status).toBe(202);
    e.t.clock.set(e.t.clock.now() + 10 * 60_000);
    expect((await press(e)).status).toBe(429);
    e.t.clock.set(Date.parse('2026-11-24T14:00:00+08:00'));
    const lead = await signIn(e.t, e.base, 'L001');
    expect((await api(e.base, 'POST', `/api/v1/staff/risks/${complaint.item!.id}/close`, { token: lead.token, body: { note: '张强电话联系客户，约定明天现场勘查。' } })).status).toBe(200);
    await putApplication(e.t, 'YX2026-0008', { accountNo: customerA.accountNo, queryCode: customerA.queryCode, phone: customerA.phone, processCode: 'lv_resident', requestedConnectDate: undefined, acceptedAt: '2026-11-20T09:00:00+08:00' });
    await postEvents(e.t, [
      started('YX2026-0008', 'accept', '2026-11-20T09:00:00+08:00', 'H002'),
      completed('YX2026-0008', 'accept', '2026-11-20T09:30:00+08:00', 'H002'),
      started('YX2026-0008', 'survey', '2026-11-21T09:00:00+08:00', 'H002'),
      completed('YX2026-0008', 'survey', '2026-11-21T11:00:00+08:00', 'H002'),
      started('YX2026-0008', 'connect', '2026-11-23T09:00:00+08:00', 'H002'),
      completed('YX2026-0008', 'connect', '2026-11-24T11:00:00+08:00', 'H002'),
    ]);
    const token = await viewToken(e.base, customerA.accountNo, customerA.queryCode);
    expect((await api(e.base, 'PUT', '/api/v1/applications/YX2026-0008/rating', { token, body: { score: 5 } })).status).toBe(200);
    const expected = (await api(e.base, 'GET', '/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=handler', { token: lead.token })).body.rows as {
      key: string;
      name: string;
      items: number;
      urgent: number;
      warning: number;
      satisfaction: number | null;
    }[];
    expect(expected.map((r) => [r.key, r.name, r.urgent, r.warning, r.satisfaction])).toEqual([
      ['H001', '李明', 0, 1, null],
      ['H002', '王芳', 1, 0, 5],
    ]);

    await signInOnStaffPage(page, e, 'L001');
    await page.getByRole('link', { name: '时效统计' }).click();
    const section = page.getByRole('region', { name: '投诉风险与满意度' });
    await section.waitFor();
    await page.locator('#risk-from').fill('2026-11-01');
    await page.locator('#risk-to').fill('2026-11-30');
    await page.getByLabel('汇总维度').selectOption('handler');
    await section.getByRole('button', { name: '查询风险统计' }).click();
    await expect.poll(() => section.locator('.form-message').innerText()).toBe('共 2 行，按经办人。');

    // the table: the API's rows, in words and numbers a team lead reads
    const rows = section.locator('#risk-table tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key))).toEqual(['H001', 'H002']);
    expect(await rows.nth(0).locator('th').innerText()).toBe('李明');
    // 风险工单, 紧急, 预警, 关注, the six signals (同一环节再次催办, 7天内反复诉求, 环节超时期间来询, 总时限将尽…, 投诉/升级言辞,
    // 满意度低: all six, as the CSV has them), 关闭用时中位数, 平均满意度, 4-5分占比, 评价率, 重复来访率
    const headers = await section.locator('#risk-table thead th').allInnerTexts();
    expect(headers.slice(5, 11)).toEqual(['同一环节再次催办', '7天内反复诉求', '环节超时期间来询', '总时限将尽且要求接电日期无法满足', '投诉/升级言辞', '满意度低']);
    expect((await rows.nth(0).locator('td').allInnerTexts()).slice(0, 10)).toEqual(['1', '0', '1', '0', '1', '0', '0', '0', '0', '0']);
    const wang = await rows.nth(1).locator('td').allInnerTexts();
    expect(wang.slice(0, 10)).toEqual(['1', '1', '0', '0', '0', '0', '0', '0', '1', '0']);
    expect(wang[10]).toBe('4.0');
    expect(wang[11]).toBe('5.00');
    expect(wang[12]).toBe('100.0%');

    // the charts: ECharts drew both into their boxes (canvas), and describes them for screen readers with the data
    for (const id of ['chart-risk-tiers', 'chart-satisfaction']) {
      const canvas = page.locator(`#${id} canvas`).first();
      await canvas.waitFor();
      const size = await canvas.evaluate((c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
      expect(size.w).toBeGreaterThan(200);
      expect(size.h).toBeGreaterThan(200);
    }
    const tiersLabel = (await page.locator('#chart-risk-tiers').getAttribute('aria-label'))!;
    for (const word of ['风险工单（按级别）', '紧急', '预警', '李明', '王芳']) expect(tiersLabel).toContain(word);
    const satisfactionLabel = (await page.locator('#chart-satisfaction').getAttribute('aria-label'))!;
    for (const word of ['满意度回访', '平均满意度的柱状图', '王芳的数据是1，5', '4-5分占比']) expect(satisfactionLabel).toContain(word);
    expect(await unnamedControls(page)).toEqual([]);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'staff-risk-stats-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-risk-stats-portrait');
    await page.setViewportSize(landscape);

    // the CSV: the same rows, Excel-friendly (BOM, CRLF), with the session cookie
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载风险统计的 CSV 文件' }).click()]);
    expect(download.suggestedFilename()).toBe('risk-handler-2026-11-01-2026-11-30.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['H001', 'H002']);
    expect(problems).toEqual([]);
  }, 60_000);

  it('show the monthly exposure report to a team lead: teams with their tier, and the worst cases with their handling notes', async () => {
    // the shipped rules with a bound any urgent item breaches
    const rules = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../catalog/risk-rules.json'), 'utf8'));
    rules.monthly.maxUrgentItems = 0;
    const rulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-risk-')), 'risk-rules.json');
    fs.writeFileSync(rulesFile, JSON.stringify(rules));
    const e = await startApp({ RISK_RULES_PATH: rulesFile });
    const complaint = await e.t.app.risks.items.record({ applicationNo: tightApplication, kind: 'complaint', source: 'wechat', detail: '再不处理我就打12398投诉' });
    e.t.clock.set(Date.parse('2026-11-24T14:00:00+08:00'));
    const lead = await signIn(e.t, e.base, 'L001');
    const note = '张强电话联系客户，约定明天现场勘查。';
    expect((await api(e.base, 'POST', `/api/v1/staff/risks/${complaint.item!.id}/close`, { token: lead.token, body: { note } })).status).toBe(200);
    // the report for November is made on 1 December at 09:00
    e.t.clock.set(Date.parse('2026-12-01T09:00:00+08:00'));
    await e.t.app.timeLimits.sweeper.sweep();
    await e.t.app.timeLimits.sweeper.sweep();

    await signInOnStaffPage(page, e, 'L001');
    await page.getByRole('link', { name: '时效统计' }).click();
    const section = page.getByRole('region', { name: '月度曝光台' });
    await section.waitFor();
    await page.locator('#exposure-month').fill('2026-11');
    await section.getByRole('button', { name: '查看曝光台' }).click();
    await expect.poll(() => section.locator('.form-message').innerText()).toBe('2026-11 月度曝光台：1 个班组列入。');
    const named = section.locator('#exposure-teams tbody tr[data-tier="named"]');
    expect(await named.locator('th').innerText()).toBe('业扩一班');
    expect(await named.locator('td').allInnerTexts()).toEqual(['1', '0', '—', '是', '点名预警']);
    const cases = section.locator('#exposure-cases li');
    expect(await cases.count()).toBe(1);
    const text = await cases.first().innerText();
    for (const word of ['紧急', complaint.item!.id, tightApplication, '业扩一班', '已关闭', `处理说明：${note}`]) expect(text).toContain(word);
    expect(await unnamedControls(page)).toEqual([]);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'staff-exposure-landscape');
    expect(problems).toEqual([]);
  }, 60_000);
});
