// The app for a browser test: the real server on 127.0.0.1:0 with SMS going to a fake Twilio, and the hurry
// scenario (customer A's hv_dual application in design review with H001) plus a second application of customer A
// whose requested date cannot be met.
import { buildNoticeApp, completed, fakeTwilioForTest, postEvents, putApplication, started } from '../../support/notices.ts';
import { customerA, hurryScenario } from '../../support/live.ts';
import type { TestApp } from '../../support/app.ts';
import type { FakeTwilio } from '../../support/fake-twilio.ts';
import net from 'node:net';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../../support/live.ts';

export const at = (iso: string) => Date.parse(iso);
export const NOW = at('2026-11-24T10:00:00+08:00');

/** customer A's second application: hv_single, asked for 2026-12-04, which the process cannot make */
export const tightApplication = 'YX2026-0003';

export interface E2eApp {
  t: TestApp;
  fake: FakeTwilio;
  base: string;
}

/** A port of 127.0.0.1 free just now: the pages' origin must be PUBLIC_URL, so it is known before the app is built. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startApp(env: Record<string, string> = {}): Promise<E2eApp> {
  const fake = await fakeTwilioForTest();
  const port = await freePort();
  // no periodic sweeps: time-driven work runs only when a test asks (ManualClock)
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...env }, deps: { startSweeper: false } });
  await hurryScenario(t);
  await putApplication(t, tightApplication, {
    accountNo: customerA.accountNo,
    queryCode: customerA.queryCode,
    phone: customerA.phone,
    processCode: 'hv_single',
    requestedConnectDate: '2026-12-04',
    acceptedAt: '2026-11-23T09:00:00+08:00',
  });
  await postEvents(t, [
    started(tightApplication, 'accept', '2026-11-23T09:00:00+08:00', 'H002'),
    completed(tightApplication, 'accept', '2026-11-23T09:30:00+08:00', 'H002'),
    started(tightApplication, 'survey', '2026-11-23T10:00:00+08:00', 'H002'),
  ]);
  await t.app.notices.dispatcher.idle();
  t.clock.set(NOW);
  const base = await t.app.listen({ port, host: '127.0.0.1' });
  return { t, fake, base };
}

/** Opens /staff and signs in through the form, as a handler would, then waits for the live queue. */
export async function signInOnStaffPage(page: Page, e: E2eApp, handlerId: string): Promise<void> {
  await e.t.app.staff.auth.setPassword(handlerId, PASSWORD);
  await page.goto(`${e.base}/staff`);
  await page.getByLabel('工号', { exact: true }).fill(handlerId);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '待办队列' }).waitFor();
  // the queue follows /ws from here on
  await page.locator('#live-status[data-state="live"]').waitFor();
}

/** Taps the kiosk's keypad (never the physical keyboard): digits into the account field, 下一步, digits into the code, 查询. */
export async function tapSignIn(page: Page, accountNo: string, queryCode: string): Promise<void> {
  const keypad = page.getByRole('group', { name: '数字键盘' });
  for (const digit of accountNo) await keypad.getByRole('button', { name: `数字 ${digit}`, exact: true }).click();
  await keypad.getByRole('button', { name: '下一步：输入查询密码' }).click();
  for (const digit of queryCode) await keypad.getByRole('button', { name: `数字 ${digit}`, exact: true }).click();
  await keypad.getByRole('button', { name: '查询办理进度' }).click();
}
