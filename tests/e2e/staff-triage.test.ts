// A team lead's queue with many alerts (issue 12 item 12): filters by level, handler and step with their counts, sort
// by age, compact items with details on demand (no form for a warning), and the statistics page in Chinese: a bar
// chart whose stacked parts add up, and its error messages.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { completed, postEvents, putApplication, started } from '../support/notices.ts';
import { api, PASSWORD, signIn } from '../support/live.ts';
import { inDesignReview } from '../support/sla.ts';
import { landscape, newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';
import { at, startApp, type E2eApp } from './support/scenario.ts';

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
  await page.goto('about:blank');
  await browser.context.clearCookies();
  await page.setViewportSize(landscape);
  problems.length = 0;
});

async function signInOnPage(e: E2eApp, handlerId: string): Promise<void> {
  await e.t.app.staff.auth.setPassword(handlerId, PASSWORD);
  await page.goto(`${e.base}/staff`);
  await page.getByLabel('工号', { exact: true }).fill(handlerId);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '待办队列' }).waitFor();
  await page.locator('#live-status[data-state="live"]').waitFor();
}

/** hv_single in survey since `at` with `handlerId` */
async function inSurvey(e: E2eApp, applicationNo: string, surveyAt: string, handlerId: string): Promise<void> {
  await putApplication(e.t, applicationNo, { requestedConnectDate: '2027-06-30', acceptedAt: '2026-11-20T09:00:00+08:00' });
  await postEvents(e.t, [
    started(applicationNo, 'accept', '2026-11-20T09:00:00+08:00', handlerId),
    completed(applicationNo, 'accept', '2026-11-20T10:00:00+08:00', handlerId),
    started(applicationNo, 'survey', surveyAt, handlerId),
  ]);
}

/** Team 业扩一班 on Thu 2026-11-26 15:00: design reviews since Fri 11-20 overdue, those since Tue 11-24 and surveys since Wed 11-25 on their last day. */
async function busyTeam(): Promise<E2eApp> {
  const e = await startApp();
  let n = 100;
  const no = () => `YX2026-0${n++}`;
  for (let i = 0; i < 4; i++) await inDesignReview(e.t, no(), `2026-11-20T1${i}:00:00+08:00`, 'H001');
  for (let i = 0; i < 2; i++) await inDesignReview(e.t, no(), `2026-11-24T1${i}:00:00+08:00`, 'H001');
  for (let i = 0; i < 2; i++) await inDesignReview(e.t, no(), `2026-11-20T1${i}:30:00+08:00`, 'H002');
  for (let i = 0; i < 3; i++) await inSurvey(e, no(), `2026-11-25T0${i + 7}:00:00+08:00`, 'H002');
  e.t.clock.set(at('2026-11-26T15:00:00+08:00'));
  await e.t.app.timeLimits.sweeper.sweep();
  return e;
}

interface QueueAlert {
  id: string;
  level: 'warning' | 'overdue';
  handlerId: string | null;
  handlerName: string | null;
  stepCode: string | null;
  raisedAt: string;
}

const alertList = () => page.locator('.queue-list[data-kind="alert"]');
const visibleAlerts = () => alertList().locator('.item:visible');

describe('a team lead triaging the alert queue', () => {
  it('filters by level, handler and step with their counts, sorts by age, and shows compact items with details on demand', async () => {
    const e = await busyTeam();
    const lead = await signIn(e.t, e.base, 'L001');
    const alerts = (await api(e.base, 'GET', '/api/v1/staff/queue', { token: lead.token })).body.alerts as QueueAlert[];
    const count = (f: (a: QueueAlert) => boolean) => alerts.filter(f).length;
    const overdue = count((a) => a.level === 'overdue');
    const warnings = count((a) => a.level === 'warning');
    const byLi = count((a) => a.handlerId === 'H001');
    const byWang = count((a) => a.handlerId === 'H002');
    expect(overdue).toBeGreaterThanOrEqual(6);
    expect(warnings).toBeGreaterThanOrEqual(4);
    expect(byLi + byWang).toBe(alerts.length);

    await signInOnPage(e, 'L001');
    await expect.poll(() => alertList().locator('.item').count()).toBe(alerts.length);

    // counts per level and handler, in the summary and in the filters
    const summary = await page.locator('#triage-summary').innerText();
    expect(summary).toContain(`超期 ${overdue} · 预警 ${warnings}`);
    expect(summary).toContain(`李明 ${byLi}`);
    expect(summary).toContain(`王芳 ${byWang}`);
    expect(await page.getByLabel('级别', { exact: true }).locator('option').allInnerTexts()).toEqual([`全部级别（${alerts.length}）`, `超期（${overdue}）`, `预警（${warnings}）`]);
    expect(await page.getByLabel('经办人', { exact: true }).locator('option').allInnerTexts()).toEqual(expect.arrayContaining([`李明（${byLi}）`, `王芳（${byWang}）`]));

    // compact: one short block per alert, no form until asked; warnings never have one
    for (const item of await visibleAlerts().all()) expect((await item.boundingBox())!.height).toBeLessThan(90);
    expect(await alertList().locator('textarea:visible').count()).toBe(0);
    await screenshot(page, 'staff-triage-landscape');

    // filter by level
    await page.getByLabel('级别', { exact: true }).selectOption('overdue');
    expect(await visibleAlerts().count()).toBe(overdue);
    expect(await visibleAlerts().evaluateAll((items) => items.every((li) => (li as HTMLElement).dataset.level === 'overdue'))).toBe(true);
    // and by handler: 王芳's overdue ones
    await page.getByLabel('经办人', { exact: true }).selectOption('H002');
    expect(await visibleAlerts().count()).toBe(count((a) => a.level === 'overdue' && a.handlerId === 'H002'));
    // and by step: every level, 王芳's surveys
    await page.getByLabel('级别', { exact: true }).selectOption('');
    await page.getByLabel('环节', { exact: true }).selectOption('survey');
    expect(await visibleAlerts().count()).toBe(count((a) => a.handlerId === 'H002' && a.stepCode === 'survey'));
    expect(await page.getByLabel('环节', { exact: true }).locator('option:checked').innerText()).toMatch(/^现场勘查（\d+）$/);
    await page.getByLabel('经办人', { exact: true }).selectOption('');
    await page.getByLabel('环节', { exact: true }).selectOption('');
    expect(await visibleAlerts().count()).toBe(alerts.length);

    // sort by age: the longest waiting first (the default), or the newest first
    const raised = () => visibleAlerts().evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.raised)));
    const oldestFirst = await raised();
    expect(oldestFirst).toEqual([...oldestFirst].sort((a, b) => a - b));
    await page.getByLabel('排序', { exact: true }).selectOption('newest');
    const newestFirst = await raised();
    expect(newestFirst).toEqual([...oldestFirst].sort((a, b) => b - a));

    // details on demand: an overdue alert opens its times and the explanation form; a warning says it needs none
    const overdueItem = alertList().locator('.item[data-level="overdue"]').first();
    await overdueItem.getByRole('button', { name: /^展开告警详情/ }).click();
    await expect(overdueItem.getByLabel('情况说明', { exact: true }).isVisible()).resolves.toBe(true);
    expect(await overdueItem.locator('.item-details .item-meta').innerText()).toMatch(/^应完成 \d{4}-\d\d-\d\d \d\d:\d\d · 告警于/);
    const warningItem = alertList().locator('.item[data-level="warning"]').first();
    await warningItem.getByRole('button', { name: /^展开告警详情/ }).click();
    expect(await warningItem.locator('textarea').count()).toBe(0);
    expect(await warningItem.locator('.item-note').innerText()).toContain('无需填写说明');
    expect(await unnamedControls(page)).toEqual([]);
    await page.setViewportSize(portrait);
    await screenshot(page, 'staff-triage-portrait');

    // explaining one takes it out of the counts
    await overdueItem.getByLabel('情况说明', { exact: true }).fill('勘查资料不全，已通知客户补充。');
    await overdueItem.getByRole('button', { name: '提交说明' }).click();
    await expect.poll(() => page.locator('#triage-summary').innerText()).toContain(`超期 ${overdue - 1} · 预警 ${warnings}`);
    expect(problems).toEqual([]);
  }, 90_000);

  it('statistics: stacked bars that add up to the completed steps, and errors in Chinese', async () => {
    const e = await startApp();
    await postEvents(e.t, [completed('YX2026-0001', 'design_review', '2026-11-24T16:00:00+08:00', 'H001')]);
    await signInOnPage(e, 'L001');
    await page.getByRole('link', { name: '时效统计' }).click();
    await page.getByRole('heading', { name: '时效统计' }).waitFor();
    await page.getByLabel('开始日期').fill('2026-11-01');
    await page.getByLabel('结束日期').fill('2026-11-30');
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.locator('#chart-counts canvas').first().waitFor();
    // ECharts' own description of the chart (aria): the series stacked are 按时完成 and 超期完成, nothing that overlaps
    const description = await page.locator('#chart-counts [aria-label], #chart-counts').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? '').join(' '));
    expect(description).toContain('按时完成');
    expect(description).toContain('超期完成');
    expect(description).not.toMatch(/“预警”|“超期”的/);
    expect(await page.locator('.chart-note').innerText()).toContain('两者相加等于完成数');

    // a start after the end: said in Chinese, nothing of the API's English
    await page.getByLabel('开始日期').fill('2026-11-30');
    await page.getByLabel('结束日期').fill('2026-11-01');
    await page.getByRole('button', { name: '查询', exact: true }).click();
    const message = page.locator('.stats .form-message');
    await expect.poll(() => message.innerText()).toBe('开始日期不能晚于结束日期，请重新选择。');
    expect(await page.locator('main').innerText()).not.toMatch(/querystring|must not/);
    await screenshot(page, 'staff-stats-error-landscape');
    expect(problems).toEqual([]);
  }, 60_000);
});
