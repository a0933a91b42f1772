// The mobile progress page an Official Account message links to, in Debian's chromium at a phone's size (390×844):
// WeChat web authorization (snsapi_base) through the fake WeChat → the bound account's timeline; an OpenID that is
// not bound, or a browser outside WeChat, signs in with account number and query code.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildNoticeApp, fakeTwilioForTest, postEvents, putApplication, started, completed } from '../support/notices.ts';
import { customerA, hurryScenario } from '../support/live.ts';
import { startFakeWechat, wechatOaEnv, type FakeWechat } from '../support/fake-wechat.ts';
import { newPage, openBrowser, portrait, screenshot, unnamedControls, type Browser } from './support/browser.ts';

const phone = { width: 390, height: 844 };
const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323a) NetType/WIFI Language/zh_CN';
const BOUND_OPENID = 'oJd8s5customerA0000000000001';
const STRANGER_OPENID = 'oJd8s5stranger00000000000002';
const SECOND = 'YX2026-0003';

let browser: Browser;
let page: Page;
let problems: string[];
let wechat: FakeWechat;

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
  await page.setExtraHTTPHeaders({});
  problems.length = 0;
  await wechat?.close();
});

/** A free port, so PUBLIC_URL (where WeChat sends the browser back) can name the server before it listens. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The app with the Official Account on the fake WeChat; customer A's two applications, A's OpenID bound to both. */
async function startOaApp(): Promise<string> {
  const twilio = await fakeTwilioForTest();
  wechat = await startFakeWechat();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await buildNoticeApp(twilio, { now: Date.parse('2026-11-24T09:00:00+08:00'), env: { ...wechatOaEnv(wechat), PUBLIC_URL: base }, deps: { startSweeper: false } });
  await hurryScenario(t);
  await putApplication(t, SECOND, { accountNo: customerA.accountNo, queryCode: customerA.queryCode, phone: customerA.phone, processCode: 'lv_business', requestedConnectDate: undefined, acceptedAt: '2026-11-23T09:00:00+08:00' });
  await postEvents(t, [started(SECOND, 'accept', '2026-11-23T09:00:00+08:00', 'H002'), completed(SECOND, 'accept', '2026-11-23T09:30:00+08:00', 'H002')]);
  await t.app.transact((stores) => stores.bindings.bind({ channel: 'wechat_oa', address: BOUND_OPENID, accountNo: customerA.accountNo, at: t.clock.now(), applicationNos: [customerA.applicationNo, SECOND] }));
  await t.app.listen({ port, host: '127.0.0.1' });
  return base;
}

async function noHorizontalScroll(): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(phone.width);
}

describe('the mobile progress page', () => {
  it('inside WeChat: web authorization finds the bound account and shows the linked application first with the kiosk timeline', async () => {
    const base = await startOaApp();
    wechat.oauthUser = BOUND_OPENID;
    await page.setViewportSize(phone);
    await page.setExtraHTTPHeaders({ 'user-agent': WECHAT_UA });
    await page.goto(`${base}/m/progress?applicationNo=${SECOND}`);

    const cards = page.locator('article.card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(2);
    // the application the message was about comes first
    expect(await cards.first().getAttribute('data-application')).toBe(SECOND);
    // WeChat was asked with snsapi_base for this page, and the code is gone from the address
    const authorize = wechat.calls.find((c) => c.path === '/connect/oauth2/authorize');
    expect(authorize?.query).toMatchObject({ scope: 'snsapi_base', response_type: 'code', redirect_uri: `${base}/m/progress?applicationNo=${SECOND}` });
    expect(page.url()).toBe(`${base}/m/progress?applicationNo=${SECOND}`);

    const hv = page.locator(`article.card[data-application="${customerA.applicationNo}"]`);
    const steps = hv.locator('.timeline .step');
    // hv_dual: accept, survey and plan_reply done, design_review in progress, five to come
    expect(await steps.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status))).toEqual([
      'done', 'done', 'done', 'in_progress', 'pending', 'pending', 'pending', 'pending', 'pending',
    ]);
    await expect(hv.locator('.current-name').textContent()).resolves.toBe('设计文件审核');
    await expect(hv.locator('.current').textContent()).resolves.toContain('经办人 李*');
    // masked for customers, as on the kiosk
    await expect(page.locator('.bar-sub').textContent()).resolves.toContain('玉*********');
    await noHorizontalScroll();
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'mobile-progress-wechat');
    expect(problems).toEqual([]);
  });

  it('an OpenID bound to no account, and a reused code, fall back to account number and query code', async () => {
    const base = await startOaApp();
    wechat.oauthUser = STRANGER_OPENID;
    await page.setViewportSize(phone);
    await page.setExtraHTTPHeaders({ 'user-agent': WECHAT_UA });
    await page.goto(`${base}/m/progress?applicationNo=${customerA.applicationNo}`);
    await page.getByText('您的微信还没有绑定户号').waitFor();

    await page.getByLabel('户号', { exact: true }).fill(customerA.accountNo);
    await page.getByLabel('查询密码', { exact: true }).fill('000000');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByText('户号或查询密码不正确').waitFor();

    await page.getByLabel('查询密码', { exact: true }).fill(customerA.queryCode);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('article.card').first().waitFor();
    expect(await page.locator('article.card').count()).toBe(2);
    expect(await page.locator('article.card').first().getAttribute('data-application')).toBe(customerA.applicationNo);
    await noHorizontalScroll();
    await screenshot(page, 'mobile-progress-signin');

    // a code WeChat already exchanged does not sign anyone in again
    const used = wechat.calls.find((c) => c.path === '/sns/oauth2/access_token')!.query.code!;
    await page.setExtraHTTPHeaders({});
    await page.goto(`${base}/m/progress?code=${used}&state=jd`);
    await page.getByText('微信授权未完成').waitFor();
    // the browser logs the refused calls themselves: nothing else went wrong
    const refused = (status: number, path: string) => `console: Failed to load resource: the server responded with a status of ${status} (${status === 404 ? 'Not Found' : 'Unauthorized'}) (${base}${path})`;
    expect(problems).toEqual([refused(404, '/api/v1/wechat-oa/session'), refused(401, '/api/v1/progress/query'), refused(401, '/api/v1/wechat-oa/session')]);
  });

  it('outside WeChat there is no authorization step: the sign-in form at once', async () => {
    const base = await startOaApp();
    await page.setViewportSize(phone);
    await page.goto(`${base}/m/progress?applicationNo=${customerA.applicationNo}`);
    await page.getByRole('form', { name: '户号和查询密码查询' }).waitFor();
    expect(wechat.calls.filter((c) => c.path === '/connect/oauth2/authorize')).toEqual([]);
    await noHorizontalScroll();
    expect(await unnamedControls(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
