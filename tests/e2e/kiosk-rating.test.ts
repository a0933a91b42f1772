// The satisfaction follow-up (回访) at the kiosk in a real browser (Debian's chromium): the next time a customer whose
// application was switched on queries, its card asks for 1–5 with an optional comment in place of the 温馨提示 box;
// the answer is stored as a chat answer is, a low one opens a risk item, and a rated application is not asked again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { completed, postEvents, putApplication, started } from '../support/notices.ts';
import { customerB } from '../support/live.ts';
import { landscape, newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';
import { startApp, tapSignIn, type E2eApp } from './support/scenario.ts';

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await openBrowser();
  ({ page, problems } = await newPage(browser));
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await page.goto('about:blank');
  await page.setViewportSize(portrait);
  problems.length = 0;
});

const card = (applicationNo: string) => page.locator(`.card[data-application-no="${applicationNo}"]`);
const SWITCHED_ON = 'YX2026-0009';

/** Customer B's lv_resident application, switched on (装表接电 done) on 2026-11-19 and synced as completed. */
async function switchedOn(e: E2eApp): Promise<void> {
  const body = {
    accountNo: customerB.accountNo,
    queryCode: customerB.queryCode,
    phone: customerB.phone,
    customerName: '张三丰',
    processCode: 'lv_resident',
    requestedConnectDate: undefined,
    acceptedAt: '2026-11-16T09:00:00+08:00',
  };
  await putApplication(e.t, SWITCHED_ON, body);
  await postEvents(e.t, [
    started(SWITCHED_ON, 'accept', '2026-11-16T09:00:00+08:00', 'H101'),
    completed(SWITCHED_ON, 'accept', '2026-11-16T09:30:00+08:00', 'H101'),
    started(SWITCHED_ON, 'survey', '2026-11-17T09:00:00+08:00', 'H101'),
    completed(SWITCHED_ON, 'survey', '2026-11-17T11:00:00+08:00', 'H101'),
    started(SWITCHED_ON, 'connect', '2026-11-18T09:00:00+08:00', 'H101'),
    completed(SWITCHED_ON, 'connect', '2026-11-19T15:00:00+08:00', 'H101'),
  ]);
  await putApplication(e.t, SWITCHED_ON, { ...body, status: 'completed' });
}

describe('the rating question at the kiosk', () => {
  it('asks a switched-on customer for 1–5 and a comment on the card, stores the answer, and does not ask again', async () => {
    const e = await startApp();
    await switchedOn(e);
    await page.goto(`${e.base}/kiosk`);
    await tapSignIn(page, customerB.accountNo, customerB.queryCode);
    const done = card(SWITCHED_ON);
    const question = done.getByRole('group', { name: '服务评价' });
    await question.waitFor();
    expect(await question.innerText()).toContain('请为这次办电服务打分');
    // the question takes the 温馨提示 box's place: the card keeps its layout
    expect(await done.locator('.tasks').count()).toBe(0);
    expect(Math.round((await question.boundingBox())!.height)).toBe(196);
    const send = question.getByRole('button', { name: '提交评价' });
    expect(await send.isDisabled()).toBe(true);
    // the application still in progress (customer B's hv_dual) is not asked
    expect(await card(customerB.applicationNo).locator('.rating').count()).toBe(0);
    expect(await unnamedControls(page)).toEqual([]);
    for (const [name, size] of [['portrait', portrait], ['landscape', landscape]] as const) {
      await page.setViewportSize(size);
      await done.scrollIntoViewIfNeeded();
      await screenshot(page, `kiosk-rating-question-${name}`);
    }
    await page.setViewportSize(portrait);

    await question.getByRole('button', { name: '2 分 不满意' }).click();
    expect(await question.getByRole('button', { name: '2 分 不满意' }).getAttribute('aria-pressed')).toBe('true');
    expect(await question.locator('.rating-line').innerText()).toBe('您选择了 2 分（不满意）');
    await question.getByLabel('评价意见（可不填）').fill('太慢了，等了好久');
    await send.click();
    const thanks = done.getByLabel('服务评价');
    await expect.poll(() => thanks.innerText()).toContain('工作人员将在一个工作日内与您联系');
    expect(await thanks.innerText()).toContain('感谢您的评价');
    await screenshot(page, 'kiosk-rating-answered-portrait');

    // stored like a chat answer, and a person is asked to follow it up
    expect(await e.t.app.risks.ratings.ofApplication(SWITCHED_ON)).toMatchObject({ score: 2, comment: '太慢了，等了好久', channel: 'kiosk' });
    expect(await e.t.app.risks.items.ofApplication(SWITCHED_ON)).toMatchObject({
      tier: 'warning',
      status: 'open',
      signals: [expect.objectContaining({ kind: 'rating', source: 'kiosk', score: 2, rules: ['low_rating'] })],
    });

    // the next customer session: rated, so the card shows its 温馨提示 again
    await page.getByRole('button', { name: '结束查询并清除本页信息' }).click();
    await tapSignIn(page, customerB.accountNo, customerB.queryCode);
    await done.waitFor();
    await done.locator('.tasks').waitFor();
    expect(await done.locator('.rating').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

});
