// The staff pages in a real browser (Debian's chromium): sign-in, the live queue with its badge, acknowledging and
// answering a hurry in place (the answer reaching the customer's phone through the fake Twilio), the application
// detail with its notices and a re-plan, the overdue alert that stays until explained, and the statistics.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, outboxOf, postStatusCallback, rowsOfKind } from '../support/notices.ts';
import fs from 'node:fs';
import { api, customerA, e164, PASSWORD, signIn, viewToken } from '../support/live.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { landscape, layoutShift, newPage, openBrowser, portrait, screenshot, unnamedControls, watchLayoutShifts, type Browser } from './support/browser.ts';
import { at, signInOnStaffPage, startApp, type E2eApp } from './support/scenario.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await openBrowser();
  ({ page, problems } = await newPage(browser));
  // a desk screen first; the portrait shots are taken on purpose
  await page.setViewportSize(landscape);
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await page.goto('about:blank');
  // the session cookie of one test's server must not sign the next test in
  await browser.context.clearCookies();
  await page.setViewportSize(landscape);
  problems.length = 0;
});

const smsTo = (fake: FakeTwilio, phone: string) => fake.requests.filter((r) => r.to === e164(phone)).map((r) => r.body ?? '');

const signInOnPage = (e: E2eApp, handlerId: string) => signInOnStaffPage(page, e, handlerId);

/** The customer presses 催办 at a kiosk (over the API: the kiosk page itself is tested in kiosk.test.ts). */
async function customerHurries(e: E2eApp, applicationNo: string, message: string) {
  const token = await viewToken(e.base, customerA.accountNo, customerA.queryCode);
  const reply = await api(e.base, 'POST', `/api/v1/applications/${applicationNo}/hurry`, { token, body: { message }, headers: { 'x-jiedian-channel': 'kiosk' } });
  expect(reply.status).toBe(202);
  return reply.body.hurry as { id: string };
}

describe('the staff pages', () => {
  it('sign in, show a new hurry live with a badge, acknowledge and answer it in place, and the answer reaches the customer by SMS', async () => {
    const e = await startApp();
    await page.goto(`${e.base}/staff`);
    await page.getByRole('heading', { name: '接电 · 工作台' }).waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'staff-login-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-login-portrait');
    await page.setViewportSize(landscape);

    // a wrong password is refused in words
    await e.t.app.staff.auth.setPassword('H001', PASSWORD);
    await page.getByLabel('工号', { exact: true }).fill('H001');
    await page.getByLabel('密码', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('工号或密码不正确。');

    await signInOnPage(e, 'H001');
    expect(await page.locator('.who').innerText()).toBe('李明 · 业扩一班 · 经办人');
    const hurries = page.locator('.queue-list[data-kind="hurry"]');
    expect(await hurries.locator('.item').count()).toBe(0);
    const badge = page.locator('#queue-badge');
    expect(await badge.getAttribute('data-count')).toBe('0');

    // the customer hurries: the item arrives over /ws, marked new, with the badge and the tab title counting it,
    // and nothing already on the page moves
    await watchLayoutShifts(page);
    const { id } = await customerHurries(e, customerA.applicationNo, '请尽快审核，月底要试生产');
    const item = hurries.locator(`.item[data-id="${id}"]`);
    await item.waitFor({ timeout: 2000 });
    expect(await item.getAttribute('class')).toContain('item--fresh');
    expect(await badge.innerText()).toBe('1');
    expect(await badge.getAttribute('aria-label')).toBe('1 条新消息');
    expect(await page.title()).toBe('(1) 接电 · 工作台');
    expect(await item.locator('.item-meta').innerText()).toBe(`申请 ${customerA.applicationNo} · 设计文件审核 · 自助终端 · 11月24日 10:00`);
    expect(await item.locator('.item-message').innerText()).toBe('请尽快审核，月底要试生产');
    expect(await item.locator('.item-status').innerText()).toBe('待处理');
    expect(await layoutShift(page)).toBe(0);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'staff-queue-new-hurry-landscape');

    // acknowledge in place
    e.t.clock.set(at('2026-11-24T10:20:00+08:00'));
    await item.getByRole('button', { name: `确认收到催办 ${id}` }).click();
    await expect.poll(() => item.locator('.item-status').innerText()).toBe('已确认');
    expect(await e.t.app.stores.hurries.byId(id)).toMatchObject({ status: 'acknowledged' });
    // touching the item marks it read
    await expect.poll(() => badge.getAttribute('data-count')).toBe('0');

    // answer in place; the customer's phone gets the answer through Twilio
    e.t.clock.set(at('2026-11-24T11:05:00+08:00'));
    const answer = '设计文件已审核通过，意见书明天上午可到营业厅领取。';
    await item.getByLabel('回复客户').fill(answer);
    await item.getByRole('button', { name: '发送回复' }).click();
    await expect.poll(() => item.locator('.item-status').innerText()).toBe('已回复');
    expect(await item.locator('.item-reply').innerText()).toBe(`已回复（11月24日 11:05）：${answer}`);
    expect(await item.locator('.item-note').innerText()).toBe('答复已通过短信发给客户。');
    // nothing left to do on an answered hurry: the form and the buttons are gone
    expect(await item.getByLabel('回复客户').count()).toBe(0);
    expect(await item.getByRole('button', { name: /确认收到/ }).count()).toBe(0);
    await eventually(() => smsTo(e.fake, customerA.phone).some((body) => body.includes(answer)), "the customer's answer SMS");
    expect(smsTo(e.fake, customerA.phone).at(-1)).toBe(`【接电助手】您的催办（受理编号${id}，用电申请${customerA.applicationNo}）已答复：${answer}回TD退订`);
    await screenshot(page, 'staff-queue-answered-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-queue-answered-portrait');
    expect(problems.filter((p) => !(p.includes('401') && p.includes('/api/v1/staff/login')))).toEqual([]);
  }, 60_000);

  it('show an application with its timeline, notices and their delivery status, and its hurries; a re-plan tells the customer', async () => {
    const e = await startApp();
    const { id } = await customerHurries(e, customerA.applicationNo, '请尽快审核');
    await e.t.app.notices.dispatcher.idle();
    // Twilio reports the hurry receipt delivered
    const receipt = (await rowsOfKind(e.t, customerA.applicationNo, 'hurry_received')).at(-1)!;
    expect((await postStatusCallback(e.t, { MessageSid: receipt.providerId!, MessageStatus: 'delivered', AccountSid: e.fake.credentials.accountSid })).statusCode).toBe(204);

    await signInOnPage(e, 'H001');
    await page.locator(`.item[data-id="${id}"]`).getByRole('button', { name: `查看申请 ${customerA.applicationNo}` }).click();
    const detail = page.locator('.detail');
    await detail.getByRole('heading', { name: `申请 ${customerA.applicationNo}` }).waitFor();
    await detail.locator('table.data').first().waitFor();

    // staff see the customer unmasked and each step with its handler
    expect(await detail.locator('.facts').innerText()).toContain('玉溪某某食品有限公司');
    const steps = detail.locator('.timeline .step');
    expect(await steps.count()).toBe(9);
    expect(await detail.locator('.step[aria-current="step"]').getAttribute('data-step')).toBe('design_review');
    expect(await detail.locator('.step[data-step="design_review"] .step-dates').innerText()).toContain('李明 13912345678');

    // notices with their delivery status: the receipt delivered, the handler's hurry SMS sent
    const notices = detail.locator('table.data', { has: page.locator('caption', { hasText: '通知' }) });
    const receiptRow = notices.locator('tbody tr', { hasText: '催办受理' });
    expect(await receiptRow.locator('.pill').innerText()).toBe('已送达');
    expect(await receiptRow.innerText()).toContain('138');
    const toHandler = notices.locator('tbody tr', { hasText: '催办提醒' });
    expect(await toHandler.locator('.pill').innerText()).toBe('已发送');
    const hurryTable = detail.locator('table.data', { has: page.locator('caption', { hasText: '催办' }) });
    expect(await hurryTable.locator('tbody tr').first().innerText()).toContain(id);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'staff-detail-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-detail-portrait');
    await page.setViewportSize(landscape);

    // re-plan for a requested date the process can make: the page says so, the customer is told by SMS
    const before = smsTo(e.fake, customerA.phone).length;
    await detail.getByLabel('新的申请接电日期', { exact: true }).fill('2027-06-30');
    await detail.getByRole('button', { name: '重新排期' }).click();
    await expect.poll(() => detail.locator('.replan .form-message').innerText()).toMatch(/^已重新排期：预计接电 2027年6月\d+日（可以按期完成）。$/);
    expect(await detail.locator('.facts').innerText()).toContain('2027年6月30日');
    expect((await e.t.app.applications.views.staffView(customerA.applicationNo))).toMatchObject({ requestedConnectDate: '2027-06-30', plan: { feasible: true } });
    await eventually(() => smsTo(e.fake, customerA.phone).length > before, "the customer's plan SMS");
    expect(smsTo(e.fake, customerA.phone).at(-1)).toContain('2027年6月');
    expect((await outboxOf(e.t, customerA.applicationNo)).some((r) => r.noticeKind === 'plan_changed' || r.noticeKind === 'plan_created')).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('keep an overdue alert in the queue until an explanation is filed in place', async () => {
    const e = await startApp();
    // the design review started 11-24 09:30 and is due 11-26 23:59; no sweep has run yet
    e.t.clock.set(at('2026-11-26T15:00:00+08:00'));
    await signInOnPage(e, 'H001');
    const alerts = page.locator('.queue-list[data-kind="alert"]');
    expect(await alerts.locator('.item').count()).toBe(0);

    // its last day: the sweep raises a warning, which arrives over /ws
    await e.t.app.timeLimits.sweeper.sweep();
    const warning = alerts.locator('.item[data-level="warning"]');
    await warning.waitFor({ timeout: 2000 });
    expect(await warning.locator('.item-title').innerText()).toBe('预警告警');
    expect(await warning.locator('.item-status').innerText()).toBe('提醒');
    // the step and the handler by name, not by code
    expect(await warning.locator('.item-meta').first().innerText()).toBe(`申请 ${customerA.applicationNo} · 环节 设计文件审核 · 经办人 李明`);
    // a warning asks for no explanation (issue 12 item 12): its details say so, with no form
    await warning.getByRole('button', { name: /^展开告警详情/ }).click();
    expect(await warning.locator('.item-note').innerText()).toBe('预警只是提醒，无需填写说明；环节办完后自动移出队列。');
    expect(await warning.locator('textarea').count()).toBe(0);
    await screenshot(page, 'staff-queue-warning-landscape');

    // past the due time: the sweep raises the overdue alert, also live
    e.t.clock.set(at('2026-11-27T00:30:00+08:00'));
    await e.t.app.timeLimits.sweeper.sweep();
    const item = alerts.locator('.item[data-level="overdue"]');
    await item.waitFor({ timeout: 2000 });
    expect(await item.count()).toBe(1);
    expect(await item.locator('.item-title').innerText()).toBe('超期告警');
    expect(await item.locator('.item-status').innerText()).toBe('待说明');
    expect(await item.locator('.item-meta').first().innerText()).toBe(`申请 ${customerA.applicationNo} · 环节 设计文件审核 · 经办人 李明`);
    expect(await item.locator('.item-meta').first().innerText()).not.toContain('design_review');
    expect(await page.locator('#queue-badge').getAttribute('data-count')).not.toBe('0');
    await screenshot(page, 'staff-queue-overdue-landscape');

    // details on demand: the explanation form opens with them
    await item.getByRole('button', { name: /^展开告警详情/ }).click();
    // an empty explanation is refused in place; acknowledging by looking is not enough: a reload keeps it
    await item.getByRole('button', { name: '提交说明' }).click();
    expect(await item.locator('.form-message').innerText()).toBe('请先填写情况说明。');
    await page.reload();
    await page.locator('#live-status[data-state="live"]').waitFor();
    await item.waitFor();
    expect(await alerts.locator('.item[data-level="overdue"]').count()).toBe(1);

    // the explanation closes it: gone from the page, from the queue on the server, recorded on the application
    await item.getByRole('button', { name: /^展开告警详情/ }).click();
    const explanation = '客户设计文件需补正，已于 11 月 25 日电话通知客户，补正后当日完成审核。';
    await item.getByLabel('情况说明', { exact: true }).fill(explanation);
    await item.getByRole('button', { name: '提交说明' }).click();
    await expect.poll(() => alerts.locator('.item[data-level="overdue"]').count()).toBe(0);
    // the warning stays while the step is still in progress (it asks for nothing; it leaves when the step is done)
    const { token } = await signIn(e.t, e.base, 'H001');
    const queue = await api(e.base, 'GET', '/api/v1/staff/queue', { token });
    expect(queue.body.alerts.map((a: { level: string }) => a.level)).toEqual(['warning']);
    await page.reload();
    await page.getByRole('heading', { name: '待办队列' }).waitFor();
    await page.locator('#live-status[data-state="live"]').waitFor();
    await warning.waitFor();
    expect(await alerts.locator('.item[data-level="overdue"]').count()).toBe(0);

    await page.goto(`${e.base}/staff#/app/${customerA.applicationNo}`);
    const table = page.locator('table.data', { has: page.locator('caption', { hasText: '告警' }) });
    await table.waitFor();
    const overdueRow = await table.locator('tbody tr', { hasText: '超期' }).innerText();
    expect(overdueRow).toContain(explanation);
    expect(overdueRow).toContain('设计文件审核');
    expect(overdueRow).toContain('李明');
    expect(overdueRow).not.toContain('H001');
    expect(problems).toEqual([]);
  }, 60_000);

  it('render the timeliness statistics as a table and charts, and download the same rows as CSV', async () => {
    const e = await startApp();
    // some history for the numbers: the overdue design review of customer A, explained
    e.t.clock.set(at('2026-11-27T09:00:00+08:00'));
    await e.t.app.timeLimits.sweeper.sweep();
    const handler = await signIn(e.t, e.base, 'H001');
    const [overdue] = (await api(e.base, 'GET', '/api/v1/staff/queue', { token: handler.token })).body.alerts as { id: string }[];
    expect((await api(e.base, 'POST', `/api/v1/staff/alerts/${overdue!.id}/explanation`, { token: handler.token, body: { text: '图纸补正' } })).status).toBe(200);

    // the team lead of 业扩一班 reads the statistics of the team
    await signInOnPage(e, 'L001');
    await page.getByRole('link', { name: '时效统计' }).click();
    await page.getByRole('heading', { name: '时效统计' }).waitFor();
    await page.getByLabel('开始日期').fill('2026-11-01');
    await page.getByLabel('结束日期').fill('2026-11-30');
    await page.getByLabel('分组').selectOption('step');
    await page.getByRole('button', { name: '查询', exact: true }).click();

    const lead = await signIn(e.t, e.base, 'L001');
    const expected = (await api(e.base, 'GET', '/api/v1/stats/timeliness?from=2026-11-01&to=2026-11-30&groupBy=step', { token: lead.token })).body.rows as {
      key: string;
      name: string;
      overdue: number;
      explained: number;
      stepsCompleted: number;
    }[];
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.stats .form-message').innerText()).toBe(`共 ${expected.length} 行，按环节。`);

    // the table: one row per key, the same numbers as the API
    const rows = page.locator('.stats-table tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key))).toEqual(expected.map((r) => r.key));
    const review = page.locator('.stats-table tbody tr[data-key="design_review"]');
    const cells = await review.locator('td').allInnerTexts();
    // 开始, 完成, 按时, 预警, 超期, 已说明, …
    const designReview = expected.find((r) => r.key === 'design_review')!;
    expect(designReview).toMatchObject({ overdue: 1, explained: 1 });
    expect(cells[4]).toBe('1');
    expect(cells[5]).toBe('1');
    expect(await review.locator('th').innerText()).toBe('设计文件审核');

    // the charts: ECharts drew into both boxes (canvas), named for screen readers
    for (const id of ['chart-counts', 'chart-days']) {
      const canvas = page.locator(`#${id} canvas`).first();
      await canvas.waitFor();
      const size = await canvas.evaluate((c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
      expect(size.w).toBeGreaterThan(200);
      expect(size.h).toBeGreaterThan(200);
      expect(await page.locator(`#${id}`).getAttribute('aria-label')).toBeTruthy();
    }
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'staff-stats-landscape');
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-stats-portrait');
    await page.setViewportSize(landscape);

    // the CSV: the browser downloads it with the session cookie; same rows, Excel-friendly (BOM, CRLF)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载当前统计的 CSV 文件' }).click()]);
    expect(download.suggestedFilename()).toBe('timeliness-step-2026-11-01-2026-11-30.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    // the header row names the columns as the table above does (issue 12 item 12); the API's default stays the keys
    expect(lines[0]).toBe('编码,名称,开始,完成,按时,预警,超期,已说明,按时率,平均用时（工作日）,时限（工作日）');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(expected.map((r) => r.key));
    expect(lines.find((line) => line.startsWith('design_review,'))).toContain('设计文件审核');
    expect(problems).toEqual([]);
  }, 60_000);
});
