// The unsubscribe link of a customer e-mail, opened in a real browser (Debian's chromium) at a phone's size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildNoticeApp, eventually, fakeTwilioForTest, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import { listen } from '../support/live.ts';
import { smtpSinkForTest } from '../support/smtp-sink.ts';
import { newPage, openBrowser, screenshot, unnamedControls, type Browser } from './support/browser.ts';

let browser: Browser | undefined;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await openBrowser();
  ({ page, problems } = await newPage(browser));
});
afterAll(async () => {
  await browser?.close();
});


describe('the e-mail unsubscribe page', () => {
  it('asks to confirm, then unsubscribes the address from e-mail notices', async () => {
    const fake = await fakeTwilioForTest();
    const sink = await smtpSinkForTest();
    const t = await buildNoticeApp(fake, { now: Date.parse('2026-11-24T10:00:00+08:00'), env: sink.env() });
    await putHandler(t, 'H001');
    await putApplication(t, 'YX2026-0001', { email: 'zhang.san@example.cn' });
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-24T09:30:00+08:00')]);
    await eventually(() => sink.mails.length === 2, 'the e-mails');
    const base = await listen(t);
    const link = new URL(/退订邮件通知：(\S+)/.exec(sink.mails[1]!.parsed.text ?? '')![1]!);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}${link.pathname}${link.search}`);
    await expect(page.getByRole('heading', { name: '退订邮件通知' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('z***@example.cn').isVisible()).resolves.toBe(true);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'email-unsubscribe-phone');
    expect(t.outbox.isOptedOut('email', 'zhang.san@example.cn')).toBe(false);

    await page.getByRole('button', { name: '确认退订' }).click();
    await page.getByRole('heading', { name: '已退订' }).waitFor();
    expect(t.outbox.isOptedOut('email', 'zhang.san@example.cn')).toBe(true);
    expect(problems).toEqual([]);
    // chromium keeps a connection to the server after the form's POST that holds the server's close open: the
    // browser goes before the server does
    await browser!.close();
    browser = undefined;
  });
});
