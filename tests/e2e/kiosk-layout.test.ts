// The kiosk for a customer not used to screens (issue 12 item 11), in both orientations: inputs inside their cards,
// 催办 and every application reachable without knowing that a page scrolls, plain words for dates, overdue steps,
// completed applications and a refused hurry, an organisation greeted as one, a chat that knows the customer signed in.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { completed, postEvents, putApplication, started } from '../support/notices.ts';
import { customerA, customerB } from '../support/live.ts';
import { landscape, newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';
import { at, startApp, tightApplication, tapSignIn } from './support/scenario.ts';

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

const orientations = [
  ['portrait', portrait],
  ['landscape', landscape],
] as const;

const signInOnKeypad = (accountNo: string, queryCode: string) => tapSignIn(page, accountNo, queryCode);

const card = (applicationNo: string) => page.locator(`.card[data-application-no="${applicationNo}"]`);

/** the element lies wholly inside the visible part of the scrolling main area (not under the sticky head or the cue) */
async function onScreen(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const main = document.getElementById('main')!.getBoundingClientRect();
    const head = document.querySelector('.results-head')?.getBoundingClientRect().bottom ?? main.top;
    const cue = document.querySelector<HTMLElement>('.scroll-cue');
    const cueTop = cue && cue.style.visibility !== 'hidden' ? cue.getBoundingClientRect().top : main.bottom;
    const box = el.getBoundingClientRect();
    return box.top >= Math.max(main.top, head) - 1 && box.bottom <= Math.min(main.bottom, cueTop) + 1 && box.height > 0;
  });
}

describe('the kiosk for a customer not used to screens', () => {
  it('keeps the inputs inside their cards, puts 催办 on the first screen, reaches every application by a button and says when there is more below, in both orientations', async () => {
    const { base } = await startApp();
    await page.goto(`${base}/kiosk`);
    for (const [name, size] of orientations) {
      await page.setViewportSize(size);
      for (const field of await page.locator('.field').all()) {
        const outer = (await field.boundingBox())!;
        const input = (await field.locator('input').boundingBox())!;
        expect(input.x, name).toBeGreaterThanOrEqual(outer.x);
        expect(input.x + input.width, name).toBeLessThanOrEqual(outer.x + outer.width);
      }
      await screenshot(page, `kiosk-layout-start-${name}`);
    }

    await page.setViewportSize(portrait);
    await signInOnKeypad(customerA.accountNo, customerA.queryCode);
    await card(customerA.applicationNo).waitFor();
    // 玉溪某某食品有限公司 is an organisation: not greeted as if 玉 were a surname
    await expect(page.getByRole('heading', { name: '您好，欢迎查询', exact: true }).isVisible()).resolves.toBe(true);
    expect(await page.locator('.results-title').innerText()).not.toContain('玉');
    // the chat greeting no longer asks for the account number
    const chat = page.getByRole('complementary', { name: '接电助手' });
    expect(await chat.locator('.chat-msg--bot').count()).toBe(1);
    expect(await chat.locator('.chat-msg--bot').first().innerText()).not.toMatch(/输入户号|查询密码/);
    expect(await chat.locator('.chat-msg--bot').first().innerText()).toContain('已查到您的 2 项申请');

    const cards = await page.locator('.card').evaluateAll((list) => list.map((c) => (c as HTMLElement).dataset.applicationNo!));
    expect(cards).toHaveLength(2);
    for (const [name, size] of orientations) {
      await page.setViewportSize(size);
      await page.locator('#main').evaluate((main) => main.scrollTo({ top: 0 }));
      await screenshot(page, `kiosk-layout-results-${name}`);
      // the first application's 催办 is on the first screen
      const firstHurry = card(cards[0]!).getByRole('button', { name: /^催办申请/ });
      expect(await onScreen(firstHurry), `${name}: ${JSON.stringify(await firstHurry.boundingBox())}`).toBe(true);
      // there is more below, and the page says so where the eye ends
      const cue = page.locator('.scroll-cue');
      await expect.poll(() => cue.innerText()).toBe('↓ 下面还有内容，点这里往下看');
      const nav = (await page.locator('.app-nav').boundingBox())!;
      expect(nav.y + nav.height, name).toBeLessThanOrEqual(size.height / 3);
      // the cue scrolls on when touched
      await cue.click();
      await expect.poll(() => page.locator('#main').evaluate((main) => main.scrollTop)).toBeGreaterThan(0);
      // every application has a button in the head; pressing the second shows its 催办
      await page.locator('#main').evaluate((main) => main.scrollTo({ top: 0 }));
      await page.getByRole('button', { name: `查看第 2 项申请 ${cards[1]}` }).click();
      await expect.poll(() => onScreen(card(cards[1]!).locator('.hurry'))).toBe(true);
      await expect.poll(() => onScreen(card(cards[1]!).locator('.card-head'))).toBe(true);
      await screenshot(page, `kiosk-layout-second-${name}`);
      // at the end the cue takes the customer back to the top
      await page.locator('#main').evaluate((main) => main.scrollTo({ top: main.scrollHeight }));
      await expect.poll(() => cue.innerText()).toBe('↑ 已到底部，点这里回到顶部');
      await cue.click();
      await expect.poll(() => page.locator('#main').evaluate((main) => main.scrollTop)).toBe(0);
    }

    // the chat's fallback at a kiosk points at the button and the counter, not at an SMS reply
    await chat.getByRole('textbox', { name: '输入您的问题' }).fill('推荐一家好吃的餐馆');
    await chat.getByRole('button', { name: '发送问题' }).click();
    await chat.locator('.chat-msg--bot').nth(1).waitFor();
    const fallback = await chat.locator('.chat-msg--bot').nth(1).innerText();
    expect(fallback).toContain('没有找到答案');
    expect(fallback).not.toContain('回复');
    expect(await unnamedControls(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows no green reassurance beside an overdue step, the year on dates in another year, and the step dates in plain words', async () => {
    const { t, base } = await startApp();
    // customer A's design review (since 11-24 09:30) is past its limit a week later
    t.clock.set(at('2026-12-01T10:00:00+08:00'));
    await page.goto(`${base}/kiosk`);
    await signInOnKeypad(customerA.accountNo, customerA.queryCode);
    const first = card(customerA.applicationNo);
    await first.waitFor();
    expect(await first.locator('.step[aria-current="step"]').getAttribute('class')).toContain('step--overdue');
    expect(await first.locator('.plan--ok').count()).toBe(0);
    expect(await first.locator('.plan').innerText()).toContain('“设计文件审核”已超过办理期限');
    expect(await first.locator('.plan').innerText()).not.toContain('按常规工期安排');
    expect(await first.locator('.current-due').innerText()).toMatch(/^原定最晚 \d+月\d+日 办完，已超期$/);

    // the tight application: survey started 11-23, due the end of 11-24; construction runs from 2026 into 2027
    const tight = card(tightApplication);
    const row = (code: string) => tight.locator(`.step[data-step="${code}"] .step-dates`);
    expect(await row('survey').innerText()).toBe('11月23日开始，最晚 11月24日 办完');
    expect(await row('accept').innerText()).toBe('11月23日 09:30 完成');
    expect(await row('construction').innerText()).toMatch(/^计划 12月\d+日 – 2027年1月\d+日$/);
    expect(await row('completion_inspection').innerText()).toMatch(/^计划 2027年1月\d+日 – 1月\d+日$/);
    for (const [name, size] of orientations) {
      await page.setViewportSize(size);
      // the longest line still fits its row
      for (const code of ['survey', 'construction']) expect(await row(code).evaluate((el) => el.scrollWidth <= el.clientWidth), `${name} ${code}`).toBe(true);
      await first.scrollIntoViewIfNeeded();
      await screenshot(page, `kiosk-layout-overdue-${name}`);
    }
    expect(problems).toEqual([]);
  }, 40_000);

  it('says a started step due the same day is to be done that day', async () => {
    const { t, base } = await startApp();
    await postEvents(t, [completed(tightApplication, 'survey', '2026-11-24T09:30:00+08:00', 'H002'), started(tightApplication, 'plan_reply', '2026-11-24T09:40:00+08:00', 'H002')]);
    await page.goto(`${base}/kiosk`);
    await signInOnKeypad(customerA.accountNo, customerA.queryCode);
    const dates = card(tightApplication).locator('.step[data-step="plan_reply"] .step-dates');
    const due = await card(tightApplication).locator('.current-due').innerText();
    const text = await dates.innerText();
    // whichever day the limit falls on, the line reads as one sentence without "23:59" or "应于…前完成"
    expect(text).toMatch(/^11月24日开始，(?:当天办完|最晚 \d+月\d+日(?: \d\d:\d\d)? 办完)$/);
    expect(`${text}${due}`).not.toMatch(/23:59|应于|前完成/);
  }, 30_000);

  it('tells a completed application as done: the day power came on, nothing to prepare or wait for, no 催办', async () => {
    const { t, base } = await startApp();
    await putApplication(t, 'YX2026-0009', {
      accountNo: customerB.accountNo,
      queryCode: customerB.queryCode,
      phone: customerB.phone,
      customerName: '张三丰',
      processCode: 'lv_resident',
      requestedConnectDate: undefined,
      acceptedAt: '2026-11-16T09:00:00+08:00',
    });
    await postEvents(t, [
      started('YX2026-0009', 'accept', '2026-11-16T09:00:00+08:00', 'H101'),
      completed('YX2026-0009', 'accept', '2026-11-16T09:30:00+08:00', 'H101'),
      started('YX2026-0009', 'survey', '2026-11-17T09:00:00+08:00', 'H101'),
      completed('YX2026-0009', 'survey', '2026-11-17T11:00:00+08:00', 'H101'),
      started('YX2026-0009', 'connect', '2026-11-18T09:00:00+08:00', 'H101'),
      completed('YX2026-0009', 'connect', '2026-11-19T15:00:00+08:00', 'H101'),
    ]);
    await putApplication(t, 'YX2026-0009', {
      accountNo: customerB.accountNo,
      queryCode: customerB.queryCode,
      phone: customerB.phone,
      customerName: '张三丰',
      processCode: 'lv_resident',
      requestedConnectDate: undefined,
      acceptedAt: '2026-11-16T09:00:00+08:00',
      status: 'completed',
    });
    await page.goto(`${base}/kiosk`);
    await signInOnKeypad(customerB.accountNo, customerB.queryCode);
    const done = card('YX2026-0009');
    await done.waitFor();
    expect(await done.locator('.expected-label').innerText()).toBe('接电日期');
    expect(await done.locator('.expected-date').innerText()).toBe('2026年11月19日');
    expect(await done.locator('.plan').innerText()).toContain('已于 2026年11月19日 接电');
    const text = await done.innerText();
    for (const stale of ['预计接电日期', '请等待供电公司办理', '按常规工期安排']) expect(text).not.toContain(stale);
    expect(await done.getByRole('button', { name: /^催办申请/ }).count()).toBe(0);
    expect(await done.locator('.hurry-line').innerText()).toBe('申请已办结，无需催办。');
    for (const [name, size] of orientations) {
      await page.setViewportSize(size);
      await page.getByRole('button', { name: /^查看第 \d 项申请 YX2026-0009$/ }).click();
      await screenshot(page, `kiosk-layout-completed-${name}`);
    }
    expect(problems).toEqual([]);
  }, 40_000);

  it('after a hurry, and after a refused one, rests the button and says when it can be pressed again', async () => {
    const { t, base } = await startApp();
    await page.goto(`${base}/kiosk`);
    await signInOnKeypad(customerA.accountNo, customerA.queryCode);
    const tight = card(tightApplication);
    await tight.waitFor();
    await tight.getByRole('button', { name: /^催办申请 YX2026-0003/ }).click();
    await tight.locator('.hurry-line--ok').waitFor();
    const button = tight.locator('.hurry-button');
    expect(await button.innerText()).toBe('已催办');
    expect(await button.isDisabled()).toBe(true);

    // the customer comes back later (a new sign-in) and presses again within the cooldown
    t.clock.set(at('2026-11-24T10:02:00+08:00'));
    await page.getByRole('button', { name: '结束查询并清除本页信息' }).click();
    await signInOnKeypad(customerA.accountNo, customerA.queryCode);
    await tight.waitFor();
    await tight.getByRole('button', { name: /^催办申请 YX2026-0003/ }).click();
    await tight.locator('.hurry-line--warn').waitFor();
    // the first press was at 10:00 and the cooldown is 24 hours
    expect(await tight.locator('.hurry-line').innerText()).toBe('您已催办过这个环节，经办人正在处理。11月25日 10:00 后可再次催办。');
    expect(await button.innerText()).toBe('已催办');
    expect(await button.isDisabled()).toBe(true);
    expect(await tight.locator('.hurry-line').innerText()).not.toMatch(/再次催办$|小时|分钟/);
    for (const [name, size] of orientations) {
      await page.setViewportSize(size);
      await tight.locator('.hurry').scrollIntoViewIfNeeded();
      expect(await tight.locator('.hurry-line').evaluate((el) => el.scrollHeight <= el.clientHeight), name).toBe(true);
      await screenshot(page, `kiosk-layout-hurry-refused-${name}`);
    }
    expect(await t.app.hurries.ofApplication(tightApplication)).toHaveLength(1);
    expect(problems.filter((p) => !(p.includes('429') && p.includes(`/api/v1/applications/${tightApplication}/hurry`)))).toEqual([]);
  }, 40_000);
});
