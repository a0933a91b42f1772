// Complaint-risk items in the team lead's live queue in a real browser (Debian's chromium): a repeated hurry raises a
// 预警 item live, a complaint a 紧急 one placed before it, closing asks for a handling note, and the application page
// shows the item with each signal and its source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, customerA, PASSWORD, viewToken } from '../support/live.ts';
import { landscape, newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';
import { startApp, tightApplication, type E2eApp } from './support/scenario.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await openBrowser();
  ({ page } = await newPage(browser));
  await page.setViewportSize(landscape);
});
afterAll(async () => {
  await browser?.close();
});

async function signInOnPage(e: E2eApp, handlerId: string): Promise<void> {
  await e.t.app.jiedian.staffAuth.setPassword(handlerId, PASSWORD);
  await page.goto(`${e.base}/staff`);
  await page.getByLabel('工号', { exact: true }).fill(handlerId);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '待办队列' }).waitFor();
  await page.locator('#live-status[data-state="live"]').waitFor();
}

async function press(e: E2eApp) {
  const token = await viewToken(e.base, customerA.accountNo, customerA.queryCode);
  return api(e.base, 'POST', `/api/v1/applications/${customerA.applicationNo}/hurry`, { token, body: { message: '请尽快审核' }, headers: { 'x-jiedian-channel': 'kiosk' } });
}

describe('risk items on the staff pages', () => {
  it('appear live in the team lead\'s queue sorted by tier, say why, close only with a handling note, and show on the application page', async () => {
    const e = await startApp();
    await signInOnPage(e, 'L001');
    const risks = page.locator('.queue-list[data-kind="risk"]');
    expect(await risks.locator('.item').count()).toBe(0);

    expect((await press(e)).status).toBe(202);
    expect((await press(e)).status).toBe(429);
    const warning = risks.locator('.item[data-tier="warning"]');
    await warning.waitFor({ timeout: 3000 });
    expect(await warning.locator('.item-title').innerText()).toContain('预警');
    expect(await warning.locator('.risk-signals').innerText()).toContain('同一环节再次催办');
    expect(await warning.locator('.risk-signals').innerText()).toContain('自助终端');
    expect(await page.locator('#queue-risk-title .queue-count').innerText()).toBe('1');

    // a complaint on another application of the team: urgent, placed before the warning
    e.t.app.jiedian.risks.record({ applicationNo: tightApplication, kind: 'complaint', source: 'wechat', detail: '再不处理我就打12398投诉' });
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
    expect(e.t.app.jiedian.risks.ofApplication(tightApplication)!.status).toBe('open');
    await urgent.getByLabel('处理说明（回访情况）').fill('张强电话联系客户，约定明天上午现场勘查。');
    await urgent.getByRole('button', { name: '关闭风险' }).click();
    await expect.poll(() => risks.locator('.item[data-status="closed"]').count()).toBe(1);
    expect(await risks.locator('.item[data-status="closed"]').innerText()).toContain('张强电话联系客户');
    expect(e.t.app.jiedian.risks.ofApplication(tightApplication)).toMatchObject({ status: 'closed', closedBy: 'L001' });
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
});
